using System.Net;
using Calico.Api;
using Calico.Client;
using Calico.Datastore;
using Calico.Ipam;
using Calico.TestKit;
using Microsoft.Extensions.Time.Testing;

namespace Calico.Lifecycle.Tests;

/// <summary>PoolDeletion over the embedded store: disable, settle, release the pool's blocks, delete; re-runs.</summary>
[Trait("Tier", "Unit")]
public sealed class PoolDeletionTests(WorldTemplate world) : IClassFixture<WorldTemplate>, IDisposable
{
    private static readonly IPNetwork PoolA = IPNetwork.Parse("10.70.0.0/16");
    private static readonly IPNetwork PoolB = IPNetwork.Parse("10.71.0.0/24");
    private readonly TempDirectory _dir = new("lifecycle-pool");

    public void Dispose() => _dir.Dispose();

    private static Task<PoolDeletionResult> DeleteAsync(IKeyValueStore store, string pool, PoolDeletionOptions? options = null, TimeProvider? time = null) =>
        PoolDeletion.RunAsync(
            new ResourceClient(store, TimeProvider.System),
            new IpamClient(store, time ?? TimeProvider.System),
            pool,
            options ?? new PoolDeletionOptions { SettleDelay = TimeSpan.Zero },
            CancellationToken.None);

    private static async Task<List<BlockInfo>> BlocksInAsync(IKeyValueStore store, IPNetwork cidr) =>
        [.. (await new IpamClient(store, TimeProvider.System).ListBlockInfosAsync(CancellationToken.None)).Where(b => cidr.Contains(b.Cidr.BaseAddress))];

    private static async Task<List<string>> AffinitiesInAsync(IKeyValueStore store, IPNetwork cidr)
    {
        var all = await store.ListAsync(ResourceKeys.IpamRoot + "host/", CancellationToken.None);
        return [.. all.Items.Select(kv => kv.Key).Where(k => ResourceKeys.TryParseIpamAffinity(k, out _, out var c) && cidr.Contains(IPNetwork.Parse(c).BaseAddress))];
    }

    private static async Task AssertPoolGoneAsync(IKeyValueStore store, string name, IPNetwork cidr)
    {
        Assert.Null(await new ResourceClient(store, TimeProvider.System).GetAsync(ResourceKinds.IPPool, null, name, CancellationToken.None));
        Assert.Empty(await AffinitiesInAsync(store, cidr));
        Assert.All(await BlocksInAsync(store, cidr), b => Assert.Null(b.Affinity));
        Assert.Empty(await LifecycleWorld.IpamProblemsAsync(store));
    }

    [Fact]
    public async Task RunAsync_PoolOfEmptyBlocks_DeletesThemAndThePool()
    {
        await using var store = world.Copy(_dir);
        Assert.Equal(2, (await BlocksInAsync(store, PoolB)).Count);

        var result = await DeleteAsync(store, LifecycleWorld.PoolB);

        Assert.True(result.Pool.Succeeded, result.Pool.Message);
        Assert.True(result.DisabledByThisRun);
        Assert.Equal(2, result.Blocks.DeletedBlocks.Count);
        Assert.Empty(result.Blocks.UnaffinedBlocks);
        Assert.Empty(await BlocksInAsync(store, PoolB));
        await AssertPoolGoneAsync(store, LifecycleWorld.PoolB, PoolB);
    }

    [Fact]
    public async Task RunAsync_PoolWithAddressesInUse_BlocksKeepThemWithoutAffinityUntilTheLastIsReleased()
    {
        await using var store = world.Copy(_dir);
        var before = await BlocksInAsync(store, PoolA);
        int allocated = before.Sum(b => b.Allocations.Count);

        var result = await DeleteAsync(store, LifecycleWorld.PoolA);

        Assert.True(result.Pool.Succeeded, result.Pool.Message);
        Assert.Equal(before.Select(b => b.Cidr.ToString()).Order(StringComparer.Ordinal), result.Blocks.UnaffinedBlocks.Select(c => c.ToString()).Order(StringComparer.Ordinal));
        var after = await BlocksInAsync(store, PoolA);
        Assert.Equal(allocated, after.Sum(b => b.Allocations.Count));
        await AssertPoolGoneAsync(store, LifecycleWorld.PoolA, PoolA);

        // The workloads go: each block goes with its last address.
        var ipam = new IpamClient(store, TimeProvider.System);
        foreach (var handle in after.SelectMany(b => b.Allocations).Select(a => a.HandleId!).Distinct())
        {
            await ipam.ReleaseByHandleAsync(handle, CancellationToken.None);
        }

        Assert.Empty(await BlocksInAsync(store, PoolA));
        Assert.Empty(await LifecycleWorld.IpamProblemsAsync(store));
    }

    [Fact]
    public async Task RunAsync_JustDisabled_WaitsTheSettleDelayBeforeReleasing()
    {
        await using var store = world.Copy(_dir);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        DateTimeOffset? disabledAt = null;
        DateTimeOffset? releasedAt = null;
        var options = new PoolDeletionOptions
        {
            BeforeStep = step =>
            {
                if (step == PoolDeletionStep.Settle)
                {
                    disabledAt = time.GetUtcNow();
                }
                else if (step == PoolDeletionStep.ReleaseBlocks)
                {
                    releasedAt = time.GetUtcNow();
                }
            },
        };

        var run = DeleteAsync(store, LifecycleWorld.PoolB, options, time);
        while (!run.IsCompleted)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(1);
        }

        var result = await run;
        Assert.True(result.Pool.Succeeded, result.Pool.Message);
        Assert.NotNull(disabledAt);
        Assert.True(releasedAt - disabledAt >= PoolDeletionOptions.DefaultSettleDelay, $"released {releasedAt - disabledAt} after disabling");
    }

    [Fact]
    public async Task RunAsync_StaleResourceVersionOrMissingPool_NothingTouched()
    {
        await using var store = world.Copy(_dir);
        var counting = new CrashingStore(store);

        var stale = await DeleteAsync(counting, LifecycleWorld.PoolA, new PoolDeletionOptions { ResourceVersion = "1" });
        var missing = await DeleteAsync(counting, "no-such-pool");

        Assert.Equal(OperationStatus.Conflict, stale.Pool.Status);
        Assert.Equal(OperationStatus.NotFound, missing.Pool.Status);
        Assert.Equal("resource does not exist: IPPool(no-such-pool) with error: <nil>", missing.Pool.Message);
        Assert.Equal(0, counting.Writes);
    }

    public static TheoryData<PoolDeletionStep> Steps() => [.. Enum.GetValues<PoolDeletionStep>()];

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task RunAsync_StoppedBeforeAStep_NextRunFinishes(PoolDeletionStep stopAt)
    {
        await using var store = world.Copy(_dir);

        await Assert.ThrowsAsync<SimulatedCrashException>(() => DeleteAsync(store, LifecycleWorld.PoolA, new PoolDeletionOptions
        {
            SettleDelay = TimeSpan.Zero,
            BeforeStep = step =>
            {
                if (step == stopAt)
                {
                    throw new SimulatedCrashException();
                }
            },
        }));
        var rerun = await DeleteAsync(store, LifecycleWorld.PoolA);

        Assert.True(rerun.Pool.Succeeded, rerun.Pool.Message);
        Assert.Equal(stopAt == PoolDeletionStep.Disable, rerun.DisabledByThisRun);
        await AssertPoolGoneAsync(store, LifecycleWorld.PoolA, PoolA);
    }

    [Fact]
    public async Task RunAsync_KilledAfterAnyWrite_NextRunFinishes()
    {
        int total;
        using (var dir = new TempDirectory("lifecycle-count"))
        {
            await using var store = world.Copy(dir);
            var counting = new CrashingStore(store);
            await DeleteAsync(counting, LifecycleWorld.PoolA);
            total = counting.Writes;
        }

        for (int n = 0; n < total; n++)
        {
            using var dir = new TempDirectory("lifecycle-kill");
            await using var store = world.Copy(dir);
            await Assert.ThrowsAsync<SimulatedCrashException>(() => DeleteAsync(new CrashingStore(store, n), LifecycleWorld.PoolA));

            var rerun = await DeleteAsync(store, LifecycleWorld.PoolA);

            Assert.True(rerun.Pool.Succeeded, $"killed after {n} of {total} writes: {rerun.Pool.Message}");
            await AssertPoolGoneAsync(store, LifecycleWorld.PoolA, PoolA);
        }
    }
}
