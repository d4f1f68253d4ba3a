using System.Security.Cryptography.X509Certificates;
using Calico.Goldmane.Tests.Upstream;
using Calico.TestKit;
using Grpc.Core;
using Grpc.Net.Client;

namespace Calico.Goldmane.Tests.Process;

[Trait("Tier", "Root")]
public sealed class GoldmaneTlsProcessTests
{
    [Fact]
    public async Task WithCertificateAndKeyTheGrpcPortSpeaksTlsOnly()
    {
        using var directory = new TempDirectory("goldmane-tls-");
        var pki = TestCertificates.Create(directory.Path);
        using var goldmane = new GoldmaneProcess("--tls-cert", pki.ServerCertFile, "--tls-key", pki.ServerKeyFile);
        using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(pki.CaCertFile));
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return certificate is X509Certificate2 server && chain.Build(server);
        };
        using var tls = GrpcChannel.ForAddress($"https://127.0.0.1:{goldmane.GrpcPort}", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = false });

        var listed = await new Flows.FlowsClient(tls).ListAsync(new FlowListRequest());
        Assert.Equal(0, listed.Meta.TotalResults);

        // The cleartext (h2c) channel of the fixture no longer gets an answer on that port.
        var error = await Assert.ThrowsAsync<RpcException>(async () => await goldmane.Flows.ListAsync(new FlowListRequest(), deadline: DateTime.UtcNow.AddSeconds(5)));
        Assert.NotEqual(StatusCode.OK, error.StatusCode);
    }
}
