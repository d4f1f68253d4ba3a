using Calico.Datastore;
using Calico.TestKit;

namespace Calico.Ctl.Tests;

/// <summary>The calicoctl flows against the embedded store: a fresh SQLite file per test.</summary>
public sealed class EmbeddedCalicoctlFlowTests : CalicoctlFlowTests
{
    private readonly string _dir = Directory.CreateTempSubdirectory("calicoctl-embedded-").FullName;

    public EmbeddedCalicoctlFlowTests()
    {
        Ctl = new CtlRunner(new Dictionary<string, string>
        {
            ["DATASTORE_TYPE"] = "embedded",
            ["CALICO_DATASTORE_PATH"] = Path.Combine(_dir, "calico.db"),
        });
    }

    protected override CtlRunner Ctl { get; }

    protected override void Cleanup() => Directory.Delete(_dir, recursive: true);
}

/// <summary>The same flows against a real etcd, one per class, emptied before each test.</summary>
public sealed class EtcdCalicoctlFlowTests : CalicoctlFlowTests, IClassFixture<EtcdFixture>
{
    public EtcdCalicoctlFlowTests(EtcdFixture etcd)
    {
        ArgumentNullException.ThrowIfNull(etcd);
        ClearAsync(etcd.Server.ClientUrl).GetAwaiter().GetResult();
        Ctl = new CtlRunner(new Dictionary<string, string>
        {
            ["DATASTORE_TYPE"] = "etcdv3",
            ["ETCD_ENDPOINTS"] = etcd.Server.ClientUrl,
        });
    }

    protected override CtlRunner Ctl { get; }

    private static async Task ClearAsync(string endpoint)
    {
        await using var store = DatastoreFactory.Open(new DatastoreOptions { Type = DatastoreType.Etcdv3, EtcdEndpoints = [endpoint] });
        var all = await store.ListAsync("/calico/", CancellationToken.None);
        foreach (var kv in all.Items)
        {
            await store.DeleteAsync(kv.Key, 0, CancellationToken.None);
        }
    }
}
