using Calico.Datastore;
using Calico.TestKit;

namespace Calico.Benchmarks;

/// <summary>Runs one measurement on each datastore backend in turn: an embedded file, then a real etcd on loopback.</summary>
internal static class Backends
{
    public static async Task ForEachAsync(Func<string, IKeyValueStore, Task> measure)
    {
        using (var dir = new TempDirectory("bench-store-"))
        {
            await using var embedded = DatastoreFactory.Open(new DatastoreOptions { Type = DatastoreType.Embedded, EmbeddedCreate = true, EmbeddedPath = Path.Combine(dir.Path, "calico.db") });
            await measure("embedded (SQLite WAL)", embedded);
        }

        await using var etcd = await EtcdServer.StartAsync();
        await using var store = DatastoreFactory.Open(new DatastoreOptions { Type = DatastoreType.Etcdv3, EtcdEndpoints = [etcd.ClientUrl] });
        await measure("etcdv3 (local etcd on loopback)", store);
    }
}
