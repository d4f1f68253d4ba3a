using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Calico.TestKit;

/// <summary>PEM files of a test PKI: a CA, a server certificate for 127.0.0.1/localhost, and a client certificate.</summary>
public sealed record TestCertificates(string CaCertFile, string ServerCertFile, string ServerKeyFile, string ClientCertFile, string ClientKeyFile)
{
    /// <summary>Generates the PKI in <paramref name="directory"/> (ECDSA P-256, valid for a day either side of now).</summary>
    public static TestCertificates Create(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        DateTimeOffset notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        DateTimeOffset notAfter = DateTimeOffset.UtcNow.AddDays(1);

        using ECDsa caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=calico-test-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using X509Certificate2 ca = caRequest.CreateSelfSigned(notBefore, notAfter);

        var serverNames = new SubjectAlternativeNameBuilder();
        serverNames.AddIpAddress(IPAddress.Loopback);
        serverNames.AddDnsName("localhost");
        (string serverCert, string serverKey) = Issue(directory, "server", "CN=etcd-test-server", ca, caKey, notBefore, notAfter, serverNames.Build(), serverAuth: true);
        (string clientCert, string clientKey) = Issue(directory, "client", "CN=calico-test-client", ca, caKey, notBefore, notAfter, null, serverAuth: false);

        string caFile = Path.Combine(directory, "ca.pem");
        File.WriteAllText(caFile, ca.ExportCertificatePem() + "\n");
        return new TestCertificates(caFile, serverCert, serverKey, clientCert, clientKey);
    }

    private static (string CertFile, string KeyFile) Issue(
        string directory,
        string name,
        string subject,
        X509Certificate2 ca,
        ECDsa caKey,
        DateTimeOffset notBefore,
        DateTimeOffset notAfter,
        X509Extension? subjectAlternativeNames,
        bool serverAuth)
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        var usages = new OidCollection { new Oid("1.3.6.1.5.5.7.3.2") };
        if (serverAuth)
        {
            usages.Add(new Oid("1.3.6.1.5.5.7.3.1"));
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (subjectAlternativeNames is not null)
        {
            request.CertificateExtensions.Add(subjectAlternativeNames);
        }

        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using X509Certificate2 certificate = request.Create(ca.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), notBefore, notAfter, serial);
        string certFile = Path.Combine(directory, name + ".pem");
        string keyFile = Path.Combine(directory, name + "-key.pem");
        File.WriteAllText(certFile, certificate.ExportCertificatePem() + "\n");
        WritePrivate(keyFile, key.ExportPkcs8PrivateKeyPem() + "\n");
        return (certFile, keyFile);
    }

    /// <summary>Private keys are created 0600 (in the 0700 temporary directory), never readable by others even briefly.</summary>
    private static void WritePrivate(string path, string contents)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(contents);
    }
}
