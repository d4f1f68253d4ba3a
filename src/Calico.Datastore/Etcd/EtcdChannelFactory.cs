using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Calico.Datastore.Etcd;

/// <summary>
/// Builds the gRPC channel: one address directly, several through a static resolver with round-robin so a dead
/// member is skipped. Timeouts follow upstream's clientv3 settings (dial 10 s, keepalive 30 s / 10 s).
/// </summary>
internal static class EtcdChannelFactory
{
    private const int MaxMessageBytes = 64 * 1024 * 1024;

    public static GrpcChannel Create(EtcdSettings settings, out IDisposable? ownedResources)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            EnableMultipleHttp2Connections = true,
        };

        CertificateMaterial? material = null;
        if (settings.UseTls)
        {
            material = CertificateMaterial.Load(settings);
            handler.SslOptions = material.CreateSslOptions();
        }

        var options = new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            ThrowOperationCanceledOnCancellation = true,
            MaxReceiveMessageSize = MaxMessageBytes,
            MaxSendMessageSize = MaxMessageBytes,
        };
        ownedResources = material;

        if (settings.Endpoints.Count == 1)
        {
            return GrpcChannel.ForAddress(settings.Endpoints[0], options);
        }

        BalancerAddress[] addresses = settings.Endpoints.Select(e => new BalancerAddress(e.Host, e.Port)).ToArray();
        var services = new ServiceCollection();
        services.AddSingleton<ResolverFactory>(new StaticResolverFactory(_ => addresses));
        options.ServiceProvider = services.BuildServiceProvider();
        options.ServiceConfig = new ServiceConfig { LoadBalancingConfigs = { new RoundRobinConfig() } };
        options.Credentials = settings.UseTls ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure;
        return GrpcChannel.ForAddress("static:///etcd", options);
    }

    /// <summary>The CA bundle and client certificate, kept alive for the channel's lifetime.</summary>
    private sealed class CertificateMaterial : IDisposable
    {
        private readonly X509Certificate2Collection _trustedRoots;
        private readonly X509Certificate2? _clientCertificate;

        private CertificateMaterial(X509Certificate2Collection trustedRoots, X509Certificate2? clientCertificate)
        {
            _trustedRoots = trustedRoots;
            _clientCertificate = clientCertificate;
        }

        public static CertificateMaterial Load(EtcdSettings settings)
        {
            var roots = new X509Certificate2Collection();
            if (settings.CaCertFile is not null)
            {
                try
                {
                    roots.ImportFromPemFile(settings.CaCertFile);
                }
                catch (System.Security.Cryptography.CryptographicException ex)
                {
                    throw new DatastoreConfigurationException("ETCD_CA_CERT_FILE", settings.CaCertFile, "not a PEM certificate bundle: " + ex.Message);
                }

                if (roots.Count == 0)
                {
                    throw new DatastoreConfigurationException("ETCD_CA_CERT_FILE", settings.CaCertFile, "contains no PEM certificate");
                }
            }

            X509Certificate2? client = null;
            if (settings.CertFile is not null && settings.KeyFile is not null)
            {
                try
                {
                    client = X509Certificate2.CreateFromPemFile(settings.CertFile, settings.KeyFile);
                }
                catch (System.Security.Cryptography.CryptographicException ex)
                {
                    throw new DatastoreConfigurationException("ETCD_CERT_FILE", settings.CertFile, $"cannot load the certificate with key {settings.KeyFile}: {ex.Message}");
                }
            }

            return new CertificateMaterial(roots, client);
        }

        public SslClientAuthenticationOptions CreateSslOptions()
        {
            var ssl = new SslClientAuthenticationOptions();
            if (_clientCertificate is not null)
            {
                ssl.ClientCertificates = new X509CertificateCollection { _clientCertificate };
            }

            if (_trustedRoots.Count > 0)
            {
                ssl.RemoteCertificateValidationCallback = ValidateAgainstCa;
            }

            return ssl;
        }

        public void Dispose()
        {
            _clientCertificate?.Dispose();
            foreach (X509Certificate2 root in _trustedRoots)
            {
                root.Dispose();
            }
        }

        // Trust exactly the configured CA (as etcd clients do with --cacert), not the system store;
        // host name mismatches are still fatal.
        private bool ValidateAgainstCa(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
            {
                return false;
            }

            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            custom.ChainPolicy.CustomTrustStore.AddRange(_trustedRoots);
            if (chain is not null)
            {
                foreach (X509ChainElement element in chain.ChainElements)
                {
                    custom.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }

            X509Certificate2 leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            return custom.Build(leaf);
        }
    }
}
