using Calico.KubeControllers.Controllers;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.KubeControllers.Tests;

/// <summary>
/// The IPAM garbage collector over a real (embedded) store with a fake clock: what upstream's GC promises, in our
/// terms (an address's owner is the WorkloadEndpoint listing it; a tunnel address's owner is its Node).
/// </summary>
[Trait("Tier", "Unit")]
public sealed class IpamGarbageCollectorTests : IAsyncLifetime
{
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(15);
    private readonly IpamWorld _world = new();
    private IpamGarbageCollector _gc = null!;

    public async Task InitializeAsync()
    {
        await _world.AddPoolAsync();
        await _world.AddNodeAsync("node1");
        _gc = new IpamGarbageCollector(_world.Client, _world.Ipam, _world.Time, NullLogger.Instance);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task LeakedAddress_ReleasedOnlyAfterGracePeriod()
    {
        var leaked = await _world.AssignWorkloadAsync("node1", "c0ffee01");

        var first = await _gc.ScanAsync(Grace, IpamWorld.Ct);
        Assert.Equal(0, first.Released);
        Assert.Equal(1, first.Candidates);

        _world.Time.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal(0, (await _gc.ScanAsync(Grace, IpamWorld.Ct)).Released);
        Assert.True(await _world.IsAllocatedAsync(leaked), "released before the grace period ended");

        _world.Time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var last = await _gc.ScanAsync(Grace, IpamWorld.Ct);
        Assert.Equal(1, last.Released);
        Assert.Equal(0, last.Candidates);
        Assert.False(await _world.IsAllocatedAsync(leaked));
    }

    [Fact]
    public async Task AddressWithLiveEndpoint_NeverReleased()
    {
        var live = await _world.AssignWorkloadAsync("node1", "c0ffee02");
        await _world.AddEndpointAsync("node1", "c0ffee02", live);

        for (int i = 0; i < 6; i++)
        {
            var scan = await _gc.ScanAsync(Grace, IpamWorld.Ct);
            Assert.Equal(0, scan.Released);
            Assert.Equal(0, scan.Candidates);
            _world.Time.Advance(TimeSpan.FromMinutes(10));
        }

        Assert.True(await _world.IsAllocatedAsync(live));
    }

    [Fact]
    public async Task EndpointBackWithinGracePeriod_RestartsTheClock()
    {
        var address = await _world.AssignWorkloadAsync("node1", "c0ffee03");
        await _gc.ScanAsync(Grace, IpamWorld.Ct);
        _world.Time.Advance(TimeSpan.FromMinutes(10));

        // The endpoint appears (CNI ADD finished) and goes again: the leak is counted from its second absence.
        await _world.AddEndpointAsync("node1", "c0ffee03", address);
        await _gc.ScanAsync(Grace, IpamWorld.Ct);
        await _world.DeleteEndpointAsync("node1", "c0ffee03");
        await _gc.ScanAsync(Grace, IpamWorld.Ct);

        _world.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(0, (await _gc.ScanAsync(Grace, IpamWorld.Ct)).Released);
        _world.Time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(1, (await _gc.ScanAsync(Grace, IpamWorld.Ct)).Released);
    }

    [Fact]
    public async Task ZeroGracePeriod_DisablesLeakRelease()
    {
        var leaked = await _world.AssignWorkloadAsync("node1", "c0ffee04");
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(0, (await _gc.ScanAsync(TimeSpan.Zero, IpamWorld.Ct)).Released);
            _world.Time.Advance(TimeSpan.FromHours(1));
        }

        Assert.True(await _world.IsAllocatedAsync(leaked));
    }

    [Fact]
    public async Task TunnelAddressOfDeletedNode_ReleasedWithItsBlocks()
    {
        await _world.AddNodeAsync("node2");
        var tunnel = await _world.AssignTunnelAsync("node2");

        Assert.Equal(0, (await _gc.ScanAsync(Grace, IpamWorld.Ct)).Released);
        Assert.True(await _world.IsAllocatedAsync(tunnel), "a live node's tunnel address was released");

        await _world.DeleteNodeAsync("node2");
        var scan = await _gc.ScanAsync(Grace, IpamWorld.Ct);
        Assert.Equal(1, scan.Released);
        Assert.Contains("node2", scan.NodesCleaned);
        Assert.False(await _world.IsAllocatedAsync(tunnel));
        Assert.DoesNotContain(await _world.BlocksAsync(), b => b.Host == "node2");
        Assert.Empty((await _world.Store.ListAsync("/calico/ipam/v2/host/node2/", IpamWorld.Ct)).Items);
    }

    [Fact]
    public async Task DeletedNodeWithLiveEndpoint_KeepsEverything()
    {
        await _world.AddNodeAsync("node3");
        var tunnel = await _world.AssignTunnelAsync("node3");
        var live = await _world.AssignWorkloadAsync("node3", "c0ffee05");
        await _world.AddEndpointAsync("node3", "c0ffee05", live);
        await _world.DeleteNodeAsync("node3");

        var scan = await _gc.ScanAsync(Grace, IpamWorld.Ct);
        Assert.Equal(0, scan.Released);
        Assert.Empty(scan.NodesCleaned);
        Assert.True(await _world.IsAllocatedAsync(tunnel));
        Assert.True(await _world.IsAllocatedAsync(live));
    }

    [Fact]
    public async Task LeakOnDeletedNode_ReleasedAtOnce()
    {
        await _world.AddNodeAsync("node4");
        var leaked = await _world.AssignWorkloadAsync("node4", "c0ffee06");
        await _world.DeleteNodeAsync("node4");

        var scan = await _gc.ScanAsync(Grace, IpamWorld.Ct);
        Assert.Equal(1, scan.Released);
        Assert.False(await _world.IsAllocatedAsync(leaked));
        Assert.DoesNotContain(await _world.BlocksAsync(), b => b.Host == "node4");
    }

    [Fact]
    public async Task SurplusEmptyBlock_ReleasedAfterGracePeriod_LastBlockKept()
    {
        // Fill node1's first block (a /30 pool block holds 4) so a second block is claimed, then free everything.
        await using var small = new IpamWorld();
        await small.AddPoolAsync("10.70.0.0/24", 30);
        await small.AddNodeAsync("node1");
        var gc = new IpamGarbageCollector(small.Client, small.Ipam, small.Time, NullLogger.Instance);
        for (int i = 0; i < 5; i++)
        {
            var ip = await small.AssignWorkloadAsync("node1", "c" + i);
            await small.AddEndpointAsync("node1", "c" + i, ip);
        }

        Assert.Equal(2, (await small.BlocksAsync()).Count(b => b.Host == "node1"));
        for (int i = 0; i < 5; i++)
        {
            await small.Ipam.ReleaseByHandleAsync("k8s-pod-network.c" + i, IpamWorld.Ct);
            await small.DeleteEndpointAsync("node1", "c" + i);
        }

        Assert.Empty((await gc.ScanAsync(Grace, IpamWorld.Ct)).BlocksReleased);
        small.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Empty((await gc.ScanAsync(Grace, IpamWorld.Ct)).BlocksReleased);
        small.Time.Advance(TimeSpan.FromMinutes(6));
        Assert.Single((await gc.ScanAsync(Grace, IpamWorld.Ct)).BlocksReleased);
        small.Time.Advance(TimeSpan.FromHours(1));
        Assert.Empty((await gc.ScanAsync(Grace, IpamWorld.Ct)).BlocksReleased);
        Assert.Single(await small.BlocksAsync(), b => b.Host == "node1");
    }

    [Fact]
    public async Task OneAddressOfAHandleStillLive_HoldsTheWholeHandle()
    {
        var result = await _world.Ipam.AutoAssignAsync(new Ipam.AutoAssignArgs
        {
            HandleId = "k8s-pod-network.multi",
            Hostname = "node1",
            Num4 = 2,
            Attributes = new Dictionary<string, string> { ["node"] = "node1" },
        }, IpamWorld.Ct);
        var first = result.IPv4[0].BaseAddress;
        var second = result.IPv4[1].BaseAddress;
        await _world.AddEndpointAsync("node1", "multi", first);

        await _gc.ScanAsync(Grace, IpamWorld.Ct);
        _world.Time.Advance(TimeSpan.FromMinutes(16));
        await _gc.ScanAsync(Grace, IpamWorld.Ct);
        Assert.True(await _world.IsAllocatedAsync(second), "as upstream, a handle is released whole or not at all: one address of it is still live");
    }
}
