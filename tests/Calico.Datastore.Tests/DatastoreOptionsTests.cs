using Calico.TestKit;

namespace Calico.Datastore.Tests;

public sealed class DatastoreOptionsTests
{
    [Theory]
    [InlineData("127.0.0.1:2379")]
    [InlineData("ftp://127.0.0.1:2379")]
    [InlineData("http://")]
    [InlineData("http://127.0.0.1:2379/v3")]
    [InlineData("not a url")]
    public void Open_MalformedEndpoint_ThrowsNamingFieldAndValue(string endpoint)
    {
        var error = Assert.Throws<DatastoreConfigurationException>(() => DatastoreFactory.Open(new DatastoreOptions { EtcdEndpoints = [endpoint] }));

        Assert.Equal("ETCD_ENDPOINTS", error.Field);
        Assert.Equal(endpoint, error.Value);
        Assert.Contains(endpoint, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_NoEndpoints_ThrowsNamingField()
    {
        var error = Assert.Throws<DatastoreConfigurationException>(() => DatastoreFactory.Open(new DatastoreOptions()));

        Assert.Equal("ETCD_ENDPOINTS", error.Field);
    }

    [Fact]
    public void Open_MixedSchemes_Throws()
    {
        var options = new DatastoreOptions { EtcdEndpoints = ["http://10.0.0.1:2379", "https://10.0.0.2:2379"] };

        Assert.Equal("ETCD_ENDPOINTS", Assert.Throws<DatastoreConfigurationException>(() => DatastoreFactory.Open(options)).Field);
    }

    [Fact]
    public void Open_MissingCaFile_ThrowsNamingFile()
    {
        var options = new DatastoreOptions { EtcdEndpoints = ["https://10.0.0.1:2379"], EtcdCaCertFile = "/nonexistent/ca.pem" };

        var error = Assert.Throws<DatastoreConfigurationException>(() => DatastoreFactory.Open(options));

        Assert.Equal("ETCD_CA_CERT_FILE", error.Field);
        Assert.Equal("/nonexistent/ca.pem", error.Value);
    }

    [Fact]
    public void Open_CertWithoutKey_ThrowsNamingKeyFile()
    {
        using var directory = new TempDirectory();
        string cert = directory.File("cert.pem");
        File.WriteAllText(cert, "x");
        var options = new DatastoreOptions { EtcdEndpoints = ["https://10.0.0.1:2379"], EtcdCertFile = cert };

        Assert.Equal("ETCD_KEY_FILE", Assert.Throws<DatastoreConfigurationException>(() => DatastoreFactory.Open(options)).Field);
    }

    [Theory]
    [InlineData("relative/calico.db")]
    [InlineData("")]
    [InlineData("/var/lib/calico/")]
    public void Open_BadEmbeddedPath_ThrowsNamingField(string path)
    {
        var options = new DatastoreOptions { Type = DatastoreType.Embedded, EmbeddedPath = path };

        Assert.Equal("datastorePath", Assert.Throws<DatastoreConfigurationException>(() => DatastoreFactory.Open(options)).Field);
    }
}
