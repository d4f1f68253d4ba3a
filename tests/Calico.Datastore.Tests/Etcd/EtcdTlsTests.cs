using Calico.TestKit;
using static Calico.Datastore.Tests.StoreTestHelpers;

namespace Calico.Datastore.Tests.Etcd;

[Trait("Tier", "Root")]
public sealed class EtcdTlsTests(TlsEtcdFixture etcd) : IClassFixture<TlsEtcdFixture>
{
    [Fact]
    public async Task Tls_ClientCertificate_ReadsAndWrites()
    {
        TestCertificates certificates = etcd.Server.Certificates!;
        var options = new DatastoreOptions
        {
            EtcdEndpoints = [etcd.Server.ClientUrl],
            EtcdCaCertFile = certificates.CaCertFile,
            EtcdCertFile = certificates.ClientCertFile,
            EtcdKeyFile = certificates.ClientKeyFile,
        };
        await using IKeyValueStore store = DatastoreFactory.Open(options);

        WriteResult created = await store.CreateAsync("/calico/tls/a", Bytes("secure"), Timeout());

        Assert.Equal(WriteStatus.Ok, created.Status);
        Assert.Equal("secure", Text((await store.GetAsync("/calico/tls/a", Timeout()))!.Value));
    }

    [Fact]
    public async Task Tls_WithoutClientCertificate_IsRejectedAsUnavailable()
    {
        var options = new DatastoreOptions { EtcdEndpoints = [etcd.Server.ClientUrl], EtcdCaCertFile = etcd.Server.Certificates!.CaCertFile };
        await using IKeyValueStore store = DatastoreFactory.Open(options);

        await Assert.ThrowsAsync<DatastoreUnavailableException>(() => store.GetAsync("/calico/tls/a", Timeout()));
    }

    [Fact]
    public async Task Tls_UnknownCa_IsRejectedAsUnavailable()
    {
        using var other = new TempDirectory();
        TestCertificates foreign = TestCertificates.Create(other.Path);
        TestCertificates certificates = etcd.Server.Certificates!;
        var options = new DatastoreOptions
        {
            EtcdEndpoints = [etcd.Server.ClientUrl],
            EtcdCaCertFile = foreign.CaCertFile,
            EtcdCertFile = certificates.ClientCertFile,
            EtcdKeyFile = certificates.ClientKeyFile,
        };
        await using IKeyValueStore store = DatastoreFactory.Open(options);

        await Assert.ThrowsAsync<DatastoreUnavailableException>(() => store.GetAsync("/calico/tls/a", Timeout()));
    }
}
