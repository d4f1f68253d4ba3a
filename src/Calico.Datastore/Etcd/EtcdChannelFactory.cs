using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;

namespace Calico.Datastore.Etcd;

/// <summary>
/// Builds one gRPC channel per endpoint (the store chooses the endpoint per call, so it can skip a member that hangs).
/// TCP/TLS connect is bounded at 3 s (an attempt deadline covers the rest: a frozen member accepts TCP but never sends
/// HTTP/2 SETTINGS); HTTP/2 keepalive pings (10 s / 5 s, only with active
/// calls: etcd answers idle pings with GOAWAY too_many_pings) drop a connection whose peer stopped answering.
/// </summary>
internal static class EtcdChannelFactory
{
    private const int MaxMessageBytes = 64 * 1024 * 1024;

    /// <summary>Loads the TLS material once for all endpoints; null for plain HTTP.</summary>
    public static CertificateMaterial? LoadCertificates(EtcdSettings settings) => settings.UseTls ? CertificateMaterial.Load(settings) : null;

    public static GrpcChannel Create(Uri endpoint, CertificateMaterial? material)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(3),
            KeepAlivePingDelay = TimeSpan.FromSeconds(10),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            EnableMultipleHttp2Connections = true,
        };

        if (material is not null)
        {
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
        return GrpcChannel.ForAddress(endpoint, options);
    }

    /// <summary>The CA bundle and client certificate, kept alive for the channel's lifetime.</summary>
    internal sealed class CertificateMaterial : IDisposable
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
