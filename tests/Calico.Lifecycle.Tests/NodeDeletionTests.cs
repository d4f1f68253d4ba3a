using Calico.Api;
using Calico.Client;
using Calico.Datastore;
using Calico.Ipam;
using Calico.TestKit;

namespace Calico.Lifecycle.Tests;

/// <summary>NodeDeletion over the embedded store: what goes, what stays, and re-runs after a run stopped anywhere.</summary>
[Trait("Tier", "Unit")]
public sealed class NodeDeletionTests(WorldTemplate world) : IClassFixture<WorldTemplate>, IDisposable
{
    private const string Doomed = LifecycleWorld.Doomed;
    private const string Keeper = LifecycleWorld.Keeper;
    private readonly TempDirectory _dir = new("lifecycle-node");

    public void Dispose() => _dir.Dispose();

    private static Task<NodeDeletionResult> DeleteAsync(IKeyValueStore store, string node, NodeDeletionOptions? options = null) =>
        NodeDeletion.RunAsync(
            new ResourceClient(store, TimeProvider.System),
            new IpamClient(store, TimeProvider.System),
            node,
            options ?? NodeDeletionOptions.Default,
            CancellationToken.None);

    private static async Task<List<string>> KeyNamesAsync(IKeyValueStore store, string node) =>
        [.. (await LifecycleWorld.KeysNamingAsync(store, node)).Select(k => k[..k.IndexOf(" = ", StringComparison.Ordinal)])];

    /// <summary>Nothing names the deleted node, IPAM is consistent, and everything of the other node is still there.</summary>
    private static async Task AssertOnlyDoomedGoneAsync(IKeyValueStore store, List<string> keeperKeysBefore, WorldFacts facts)
    {
        Assert.Empty(await LifecycleWorld.KeysNamingAsync(store, Doomed));
        Assert.Empty(await LifecycleWorld.IpamProblemsAsync(store));
        Assert.Equal(keeperKeysBefore, await KeyNamesAsync(store, Keeper));
        var ipam = new IpamClient(store, TimeProvider.System);
        var borrowed = await ipam.GetAllocationAsync(facts.BorrowedAddress, CancellationToken.None);
        Assert.NotNull(borrowed);
        Assert.Equal(Keeper, borrowed.Attributes["node"]);
        Assert.NotNull(await new ResourceClient(store, TimeProvider.System).GetAsync(ResourceKinds.BGPPeer, null, "global-peer", CancellationToken.None));
    }

    [Fact]
    public async Task RunAsync_NodeWithEverything_LeavesNoKeyNamingItAndKeepsTheOtherNode()
    {
        await using var store = world.Copy(_dir);
        Assert.NotEmpty(await LifecycleWorld.KeysNamingAsync(store, Doomed));
        var keeperKeys = await KeyNamesAsync(store, Keeper);

        var result = await DeleteAsync(store, Doomed);

        Assert.True(result.Node.Succeeded, result.Node.Message);
        // 3 tunnel addresses, 2 pods x (IPv4 + IPv6), 1 leaked.
        Assert.Equal(8, result.ReleasedAddresses.Count);
        Assert.Empty(result.SkippedAddresses);
        Assert.Equal(
            [
                "WorkloadEndpoint(ns1/host1-k8s-db-eth0)", "WorkloadEndpoint(ns1/host1-k8s-web-eth0)", "BGPPeer(tor-of-host1)",
                "FelixConfiguration(node.host1)", "BGPConfiguration(node.host1)", "HostEndpoint(host1-eth0)",
                "CalicoNodeStatus(status-of-host1)", "Node(host1)",
            ],
            result.DeletedResources);
        Assert.Equal([world.Facts.SharedBlock], result.Blocks.UnaffinedBlocks);
        Assert.Equal(2, result.Blocks.DeletedBlocks.Count); // the IPv6 block and the empty one in pool-b
        await AssertOnlyDoomedGoneAsync(store, keeperKeys, world.Facts);
    }

    [Fact]
    public async Task RunAsync_SecondRun_WritesNothingAndReportsNotFound()
    {
        await using var store = world.Copy(_dir);
        await DeleteAsync(store, Doomed);
        var counting = new CrashingStore(store);

        var again = await DeleteAsync(counting, Doomed);

        Assert.Equal(OperationStatus.NotFound, again.Node.Status);
        Assert.Equal("resource does not exist: Node(host1) with error: <nil>", again.Node.Message);
        Assert.Equal(0, counting.Writes);
        Assert.Empty(again.ReleasedAddresses);
        Assert.Empty(again.DeletedResources);
    }

    [Fact]
    public async Task RunAsync_StaleResourceVersion_ConflictAndNothingTouched()
    {
        await using var store = world.Copy(_dir);
        var counting = new CrashingStore(store);

        var result = await DeleteAsync(counting, Doomed, new NodeDeletionOptions { ResourceVersion = "1" });

        Assert.Equal(OperationStatus.Conflict, result.Node.Status);
        Assert.Equal(0, counting.Writes);
        Assert.NotEmpty(await LifecycleWorld.KeysNamingAsync(store, Doomed));
    }

    [Fact]
    public async Task RunAsync_EndpointListsAnAddressNowOwnedByAnotherNode_LeavesItAlone()
    {
        await using var store = world.Copy(_dir);
        var keeperKeys = await KeyNamesAsync(store, Keeper);
        // A stale endpoint of host1 still lists the address host10 holds now (as after a crash and a re-allocation).
        await LifecycleWorld.CreateAsync(new ResourceClient(store, TimeProvider.System), $$"""
            apiVersion: projectcalico.org/v3
            kind: WorkloadEndpoint
            metadata: {name: host1-k8s-stale-eth0, namespace: ns1}
            spec: {orchestrator: k8s, node: host1, pod: stale, endpoint: eth0, interfaceName: calistale, ipNetworks: [{{world.Facts.BorrowedAddress}}/32]}
            """, CancellationToken.None);

        var result = await DeleteAsync(store, Doomed);

        Assert.Equal([world.Facts.BorrowedAddress], result.SkippedAddresses);
        Assert.DoesNotContain(world.Facts.BorrowedAddress, result.ReleasedAddresses);
        await AssertOnlyDoomedGoneAsync(store, keeperKeys, world.Facts);
    }

    [Fact]
    public async Task RunAsync_NodeAlreadyGoneButItsDataLeft_CleansUpAndReportsNotFound()
    {
        await using var store = world.Copy(_dir);
        var keeperKeys = await KeyNamesAsync(store, Keeper);
        // What `calicoctl delete node` did before the cascade existed: only the Node key went.
        var kv = await store.GetAsync(ResourceKeys.ForResource("nodes", null, Doomed), CancellationToken.None);
        await store.DeleteAsync(kv!.Key, kv.Revision, CancellationToken.None);

        var result = await DeleteAsync(store, Doomed);

        Assert.Equal(OperationStatus.NotFound, result.Node.Status);
        // Without the Node its tunnel fields are gone, but the tunnel handles and the attributes still find them.
        Assert.Equal(8, result.ReleasedAddresses.Count);
        await AssertOnlyDoomedGoneAsync(store, keeperKeys, world.Facts);
    }

    public static TheoryData<NodeDeletionStep> Steps() => [.. Enum.GetValues<NodeDeletionStep>()];

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task RunAsync_StoppedBeforeAStep_NextRunLeavesNothing(NodeDeletionStep stopAt)
    {
        await using var store = world.Copy(_dir);
        var keeperKeys = await KeyNamesAsync(store, Keeper);

        await Assert.ThrowsAsync<SimulatedCrashException>(() => DeleteAsync(store, Doomed, new NodeDeletionOptions
        {
            BeforeStep = step =>
            {
                if (step == stopAt)
                {
                    throw new SimulatedCrashException();
                }
            },
        }));
        var rerun = await DeleteAsync(store, Doomed);

        Assert.True(rerun.Node.Succeeded, rerun.Node.Message);
        await AssertOnlyDoomedGoneAsync(store, keeperKeys, world.Facts);
    }

    /// <summary>
    /// The run is killed after every possible number of writes (each block, handle, affinity and resource write in
    /// turn, so also between a block write and its handle update); the next run always finishes the job.
    /// </summary>
    [Fact]
    public async Task RunAsync_KilledAfterAnyWrite_NextRunLeavesNothing()
    {
        int total;
        List<string> keeperKeys;
        using (var dir = new TempDirectory("lifecycle-count"))
        {
            await using var store = world.Copy(dir);
            keeperKeys = await KeyNamesAsync(store, Keeper);
            var counting = new CrashingStore(store);
            await DeleteAsync(counting, Doomed);
            total = counting.Writes;
        }

        Assert.True(total > 20, $"a full run made only {total} writes");
        for (int n = 0; n < total; n++)
        {
            using var dir = new TempDirectory("lifecycle-kill");
            await using var store = world.Copy(dir);
            var dying = new CrashingStore(store, writesBeforeCrash: n);
            await Assert.ThrowsAsync<SimulatedCrashException>(() => DeleteAsync(dying, Doomed));

            var rerun = await DeleteAsync(store, Doomed);

            Assert.True(rerun.Node.Succeeded, $"killed after {n} writes: {rerun.Node.Message}");
            var left = await LifecycleWorld.KeysNamingAsync(store, Doomed);
            Assert.True(left.Count == 0, $"killed after {n} of {total} writes, the re-run left:\n{string.Join('\n', left)}");
            var problems = await LifecycleWorld.IpamProblemsAsync(store);
            Assert.True(problems.Count == 0, $"killed after {n} of {total} writes, IPAM problems:\n{string.Join('\n', problems)}");
            Assert.Equal(keeperKeys, await KeyNamesAsync(store, Keeper));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    public async Task RunAsync_BadName_ValidationErrorNamingIt(string name)
    {
        await using var store = world.Copy(_dir);

        var e = await Assert.ThrowsAsync<ValidationException>(() => DeleteAsync(store, name));

        Assert.Contains("Metadata.Name", e.Message, StringComparison.Ordinal);
    }
}
