using Calico.Datastore;
using Calico.TestKit;

namespace Calico.Ctl.Tests;

/// <summary>calicoctl pointed at each datastore, as the backend-specific test classes need it.</summary>
public static class CtlBackends
{
    /// <summary>A fresh embedded store file in <paramref name="directory"/>.</summary>
    public static CtlRunner Embedded(string directory) => new(new Dictionary<string, string>
    {
        ["DATASTORE_TYPE"] = "embedded",
        ["CALICO_DATASTORE_PATH"] = Path.Combine(directory, "calico.db"),
    });

    /// <summary>The class's shared etcd, emptied of everything under /calico/ so each test starts clean.</summary>
    public static CtlRunner EmptiedEtcd(EtcdFixture etcd)
    {
        ArgumentNullException.ThrowIfNull(etcd);
        ClearAsync(etcd.Server.ClientUrl).GetAwaiter().GetResult();
        return new CtlRunner(new Dictionary<string, string>
        {
            ["DATASTORE_TYPE"] = "etcdv3",
            ["ETCD_ENDPOINTS"] = etcd.Server.ClientUrl,
        });
    }

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
