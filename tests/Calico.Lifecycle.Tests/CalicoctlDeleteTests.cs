using Calico.Datastore;
using Calico.Datastore.Embedded;
using Calico.TestKit;

namespace Calico.Lifecycle.Tests;

/// <summary><c>calicoctl delete node|ippool</c> (by name and from a file) on the embedded store: upstream's output, then <c>ipam check</c> clean.</summary>
[Trait("Tier", "Unit")]
public sealed class CalicoctlDeleteTests(WorldTemplate world) : IClassFixture<WorldTemplate>, IDisposable
{
    private readonly TempDirectory _dir = new("lifecycle-ctl");

    public void Dispose() => _dir.Dispose();

    private Calicoctl Ctl => Calicoctl.Embedded(_dir.File("calico.db"));

    private async Task<string> IpamCheckAsync()
    {
        var check = await Ctl.RunAsync("ipam", "check");
        Assert.True(check.Exit == 0, check.Err);
        return check.Out.Split('\n').Single(l => l.StartsWith("Check complete", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DeleteNode_ByName_UpstreamOutputAndIpamCheckClean()
    {
        await world.Copy(_dir).DisposeAsync();
        Assert.Equal("Check complete; found 1 problems.", await IpamCheckAsync()); // host1's leaked address

        var deleted = await Ctl.RunAsync("delete", "node", LifecycleWorld.Doomed);

        Assert.Equal((0, "Successfully deleted 1 'Node' resource(s)\n", ""), deleted);
        Assert.Equal("Check complete; found 0 problems.", await IpamCheckAsync());
        await using var store = new EmbeddedKeyValueStore(_dir.File("calico.db"));
        Assert.Empty(await LifecycleWorld.KeysNamingAsync(store, LifecycleWorld.Doomed));
    }

    [Fact]
    public async Task DeleteNode_FromFile_SameCascade()
    {
        await world.Copy(_dir).DisposeAsync();

        var deleted = await Ctl.RunWithInputAsync("apiVersion: projectcalico.org/v3\nkind: Node\nmetadata:\n  name: host1\n", "delete", "-f", "-");

        Assert.Equal((0, "Successfully deleted 1 'Node' resource(s)\n", ""), deleted);
        await using var store = new EmbeddedKeyValueStore(_dir.File("calico.db"));
        Assert.Empty(await LifecycleWorld.KeysNamingAsync(store, LifecycleWorld.Doomed));
    }

    [Fact]
    public async Task DeleteNode_Missing_UpstreamNotFoundError()
    {
        await world.Copy(_dir).DisposeAsync();

        var deleted = await Ctl.RunAsync("delete", "node", "no-such-node");

        Assert.Equal((1, "", "Failed to delete 'Node' resource: resource does not exist: Node(no-such-node) with error: <nil>\n"), deleted);
    }

    [Fact]
    public async Task DeleteIpPool_ReleasesItsBlocks()
    {
        await world.Copy(_dir).DisposeAsync();

        var deleted = await Ctl.RunAsync("delete", "ippool", LifecycleWorld.PoolB);

        Assert.Equal((0, "Successfully deleted 1 'IPPool' resource(s)\n", ""), deleted);
        await using var store = new EmbeddedKeyValueStore(_dir.File("calico.db"));
        var blocks = await store.ListAsync(ResourceKeys.IpamBlockPrefix(4), CancellationToken.None);
        Assert.DoesNotContain(blocks.Items, kv => kv.Key.Contains("/10.71.", StringComparison.Ordinal));
        var affinities = await store.ListAsync(ResourceKeys.IpamRoot + "host/", CancellationToken.None);
        Assert.DoesNotContain(affinities.Items, kv => kv.Key.Contains("/10.71.", StringComparison.Ordinal));
    }
}
