using Calico.Datastore;
using Calico.TestKit;

namespace Calico.Lifecycle.Tests;

/// <summary>
/// On a real etcd: after <c>calicoctl delete node</c>, no key in the whole keyspace names the node (key or value),
/// and <c>calicoctl ipam check</c> is clean.
/// </summary>
[Trait("Tier", "Root")]
public sealed class EtcdNodeDeleteTests(EtcdFixture etcd) : IClassFixture<EtcdFixture>
{
    [Fact]
    public async Task DeleteNode_OnEtcd_NoKeyOfTheNodeLeftAndIpamCheckClean()
    {
        await using var store = DatastoreFactory.Open(new DatastoreOptions { Type = DatastoreType.Etcdv3, EtcdEndpoints = [etcd.Server.ClientUrl] });
        foreach (var kv in (await store.ListAsync("", CancellationToken.None)).Items)
        {
            await store.DeleteAsync(kv.Key, 0, CancellationToken.None);
        }

        await LifecycleWorld.BuildAsync(store);
        Assert.NotEmpty(await LifecycleWorld.KeysNamingAsync(store, LifecycleWorld.Doomed, prefix: ""));
        var keeperBefore = (await LifecycleWorld.KeysNamingAsync(store, LifecycleWorld.Keeper, prefix: "")).Count;
        var ctl = Calicoctl.Etcd(etcd.Server.ClientUrl);

        var deleted = await ctl.RunAsync("delete", "node", LifecycleWorld.Doomed);
        var check = await ctl.RunAsync("ipam", "check");

        Assert.Equal((0, "Successfully deleted 1 'Node' resource(s)\n", ""), deleted);
        var left = await LifecycleWorld.KeysNamingAsync(store, LifecycleWorld.Doomed, prefix: "");
        Assert.True(left.Count == 0, "left in etcd:\n" + string.Join('\n', left));
        Assert.Contains("Check complete; found 0 problems.", check.Out, StringComparison.Ordinal);
        Assert.Equal(keeperBefore, (await LifecycleWorld.KeysNamingAsync(store, LifecycleWorld.Keeper, prefix: "")).Count);
    }
}
