using Calico.TestKit;

namespace Calico.Datastore.Tests;

[Trait("Tier", "Unit")]
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

    [Fact]
    public void Open_EmbeddedPathInMissingDirectory_ThrowsNamingSettingAndCreatesNothing()
    {
        using var dir = new TempDirectory("ds-options");
        var path = Path.Combine(dir.Path, "calcio", "calico.db");
        var options = new DatastoreOptions { Type = DatastoreType.Embedded, EmbeddedPath = path, EmbeddedCreate = true };

        var error = Assert.Throws<DatastoreConfigurationException>(() => DatastoreFactory.Open(options));

        Assert.Equal("datastorePath", error.Field);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(path)));
    }

    [Fact]
    public async Task Open_MissingEmbeddedFileWithoutCreate_ThrowsAndCreatesNothing()
    {
        using var dir = new TempDirectory("ds-options");
        var path = Path.Combine(dir.Path, "calico.db");

        var error = Assert.Throws<DatastoreConfigurationException>(() => DatastoreFactory.Open(new DatastoreOptions { Type = DatastoreType.Embedded, EmbeddedPath = path }));

        Assert.Equal("datastorePath", error.Field);
        Assert.False(File.Exists(path));

        // The owner creates it; a client then opens it.
        await using (var owner = DatastoreFactory.Open(new DatastoreOptions { Type = DatastoreType.Embedded, EmbeddedPath = path, EmbeddedCreate = true }))
        {
            await owner.CreateAsync("/calico/x", "1"u8.ToArray(), CancellationToken.None);
        }

        await using var client = DatastoreFactory.Open(new DatastoreOptions { Type = DatastoreType.Embedded, EmbeddedPath = path });
        Assert.NotNull(await client.GetAsync("/calico/x", CancellationToken.None));
    }

    [Fact]
    public async Task EmbeddedStore_WithoutCreate_FileRemovedAfterOpen_IsUnavailableNotRecreated()
    {
        using var dir = new TempDirectory("ds-options");
        var path = Path.Combine(dir.Path, "calico.db");
        await using var store = new Calico.Datastore.Embedded.EmbeddedKeyValueStore(path, createIfMissing: false);

        await Assert.ThrowsAsync<DatastoreUnavailableException>(() => store.GetAsync("/calico/x", CancellationToken.None));
        Assert.False(File.Exists(path));
    }
}
