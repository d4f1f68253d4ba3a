using Calico.TestKit;
using static Calico.Datastore.Tests.StoreTestHelpers;

namespace Calico.Datastore.Tests.Etcd;

[Trait("Tier", "Root")]
public sealed class EtcdConnectionLossTests
{
    [Fact]
    public async Task Watch_EtcdKilled_ThrowsUnavailable()
    {
        await using EtcdServer server = await EtcdServer.StartAsync();
        await using IKeyValueStore store = DatastoreFactory.Open(new DatastoreOptions { EtcdEndpoints = [server.ClientUrl] });
        WriteResult start = await store.CreateAsync("/calico/loss/a", Bytes("1"), Timeout());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var first = new TaskCompletionSource();

        Task watching = Task.Run(async () =>
        {
            await foreach (WatchEvent e in store.WatchAsync("/calico/loss/", start.Revision, cts.Token))
            {
                first.TrySetResult();
            }
        });
        await store.UpdateAsync("/calico/loss/a", Bytes("2"), 0, Timeout());
        await first.Task.WaitAsync(cts.Token);
        server.Kill();

        await Assert.ThrowsAsync<DatastoreUnavailableException>(() => watching);
    }
}
