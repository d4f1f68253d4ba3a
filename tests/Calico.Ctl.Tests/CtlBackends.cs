using Calico.Datastore;
using Calico.TestKit;

namespace Calico.Ctl.Tests;

/// <summary>calicoctl pointed at each datastore, as the backend-specific test classes need it.</summary>
public static class CtlBackends
{
    /// <summary>A fresh embedded store file in <paramref name="directory"/> (created here: calicoctl never creates one).</summary>
    public static CtlRunner Embedded(string directory)
    {
        var path = Path.Combine(directory, "calico.db");
        CreateEmbeddedStore(path);
        return new(new Dictionary<string, string>
        {
            ["DATASTORE_TYPE"] = "embedded",
            ["CALICO_DATASTORE_PATH"] = path,
        });
    }

    /// <summary>Creates an empty embedded store at <paramref name="path"/>, as calico-node or calico-lab would.</summary>
    public static void CreateEmbeddedStore(string path)
    {
        var store = DatastoreFactory.Open(new DatastoreOptions { Type = DatastoreType.Embedded, EmbeddedCreate = true, EmbeddedPath = path });
        try
        {
            store.ListAsync("/calico/", CancellationToken.None).GetAwaiter().GetResult();
        }
        finally
        {
            store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

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
