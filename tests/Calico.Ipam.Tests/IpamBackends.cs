using Calico.Datastore;
using Calico.TestKit;

namespace Calico.Ipam.Tests;

/// <summary>The IPAM suite against the embedded store: a fresh SQLite file per test.</summary>
[Trait("Tier", "Unit")]
public sealed class EmbeddedIpamTests : IpamClientTests, IDisposable
{
    private readonly TempDirectory _dir = new("calico-ipam-");

    protected override IKeyValueStore OpenStore() =>
        DatastoreFactory.Open(new DatastoreOptions { Type = DatastoreType.Embedded, EmbeddedCreate = true, EmbeddedPath = _dir.File("calico.db") });

    public void Dispose() => _dir.Dispose();
}

/// <summary>The same suite against a real etcd (one per class), emptied before each test.</summary>
[Trait("Tier", "Root")]
public sealed class EtcdIpamTests(EtcdFixture etcd) : IpamClientTests, IClassFixture<EtcdFixture>
{
    protected override IKeyValueStore OpenStore() =>
        DatastoreFactory.Open(new DatastoreOptions { Type = DatastoreType.Etcdv3, EtcdEndpoints = [etcd.Server.ClientUrl] });

    protected override async Task ResetAsync(IKeyValueStore store)
    {
        var all = await store.ListAsync("/calico/", CancellationToken.None);
        foreach (var kv in all.Items)
        {
            await store.DeleteAsync(kv.Key, 0, CancellationToken.None);
        }
    }
}
