using Calico.Felix.Rules.Planning;
using System.Net;
using System.Net.Sockets;
using Calico.Felix.Calc.Model;
using Calico.TestKit;

namespace Calico.Felix.Rules.Tests;

/// <summary>
/// Root tier: "pod" (10.244.1.5, in pool 10.244.0.0/16) → "host" (forwards) → "outside" (192.0.2.2). The outside
/// listener reports the peer address: the host's 192.0.2.1 when the pool masquerades, the pod's own when not.
/// </summary>
[Trait("Tier", "Root")]
public sealed class NatOutgoingKernelTests
{
    private static readonly IPAddress Outside = IPAddress.Parse("192.0.2.2");

    [Fact]
    public async Task NatOutgoing_MasqueradePool_SourceIsHost_ThenDeltaToPlainPool_SourceIsPod()
    {
        using var pod = new NetnsScope();
        using var host = new NetnsScope();
        using var outside = new NetnsScope();
        host.Ip("link", "add", "h-pod", "type", "veth", "peer", "name", "pod0", "netns", pod.Name);
        host.Ip("link", "add", "h-out", "type", "veth", "peer", "name", "out0", "netns", outside.Name);
        host.Ip("addr", "add", "10.244.1.1/24", "dev", "h-pod");
        host.Ip("addr", "add", "192.0.2.1/24", "dev", "h-out");
        host.Ip("link", "set", "h-pod", "up");
        host.Ip("link", "set", "h-out", "up");
        pod.Ip("addr", "add", "10.244.1.5/24", "dev", "pod0");
        pod.Ip("link", "set", "pod0", "up");
        pod.Ip("route", "add", "default", "via", "10.244.1.1");
        outside.Ip("addr", "add", "192.0.2.2/24", "dev", "out0");
        outside.Ip("link", "set", "out0", "up");
        outside.Ip("route", "add", "10.244.0.0/16", "via", "192.0.2.1");
        (int exit, _, string error) = host.Exec("sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward");
        Assert.True(exit == 0, error);

        var nft = new KernelNft(host);
        var config = new RenderConfig();
        NftTable masquerading = NftablesRenderer.Build(new DataplaneState(), config, new NatInputs(["10.244.0.0/16"], ["10.244.0.0/16"]));
        NftTable plain = NftablesRenderer.Build(new DataplaneState(), config, new NatInputs(["10.244.0.0/16"], []));
        using TcpListener listener = await NetnsSockets.ListenAsync(outside, 8080);

        nft.Apply(masquerading.ToFullTransaction(), "masquerade pool");
        Assert.Equal(IPAddress.Parse("192.0.2.1"), await PeerSeenOutsideAsync(pod, listener));

        nft.Apply(Delta(masquerading, plain), "delta to plain pool");
        Assert.Equal(IPAddress.Parse("10.244.1.5"), await PeerSeenOutsideAsync(pod, listener));
    }

    private static async Task<IPAddress> PeerSeenOutsideAsync(NetnsScope pod, TcpListener listener)
    {
        Task<TcpClient> accept = listener.AcceptTcpClientAsync();
        Assert.True(await NetnsSockets.ConnectsAsync(pod, Outside, 8080), "pod could not reach the outside listener");
        using TcpClient accepted = await accept;
        return ((IPEndPoint)accepted.Client.RemoteEndPoint!).Address.MapToIPv4();
    }

    private static string Delta(NftTable? previous, NftTable next) => NftScript.From(NftPlanner.Plan(previous, next));
}
