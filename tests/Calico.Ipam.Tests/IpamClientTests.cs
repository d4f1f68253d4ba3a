using System.Net;
using System.Text;
using Calico.Api;
using Calico.Client;
using Calico.Datastore;

namespace Calico.Ipam.Tests;

/// <summary>IPAM behaviour over the datastore seam; every backend runs this suite unchanged.</summary>
public abstract class IpamClientTests : IAsyncLifetime
{
    private IKeyValueStore? _store;

    protected IKeyValueStore Store => _store ?? throw new InvalidOperationException("not initialised");

    protected IpamClient Ipam { get; private set; } = null!;

    protected static CancellationToken Ct => CancellationToken.None;

    protected abstract IKeyValueStore OpenStore();

    protected virtual Task ResetAsync(IKeyValueStore store) => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        _store = OpenStore();
        await ResetAsync(_store);
        Ipam = new IpamClient(_store, TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    private async Task AddPoolAsync(string name, string cidr, int blockSize, bool disabled = false, string? nodeSelector = null, List<string>? allowedUses = null)
    {
        var pool = new IPPool { Spec = new IPPoolSpec { Cidr = cidr, BlockSize = blockSize, Disabled = disabled, NodeSelector = nodeSelector, AllowedUses = allowedUses } };
        pool.Metadata.Name = name;
        var result = await new ResourceClient(Store, TimeProvider.System).CreateAsync(pool, Ct);
        Assert.True(result.Succeeded, result.Message);
    }

    private async Task AddReservationAsync(string name, params string[] cidrs)
    {
        var reservation = new IPReservation { Spec = new IPReservationSpec { ReservedCIDRs = [.. cidrs] } };
        reservation.Metadata.Name = name;
        var result = await new ResourceClient(Store, TimeProvider.System).CreateAsync(reservation, Ct);
        Assert.True(result.Succeeded, result.Message);
    }

    private async Task<string?> ValueAsync(string key) =>
        await Store.GetAsync(key, Ct) is { } kv ? Encoding.UTF8.GetString(kv.Value) : null;

    private Task<AutoAssignResult> AssignAsync(string handle, string host = "node1", int num4 = 1, int num6 = 0, IpamClient? client = null) =>
        (client ?? Ipam).AutoAssignAsync(new AutoAssignArgs { HandleId = handle, Hostname = host, Num4 = num4, Num6 = num6 }, Ct);

    /// <summary>Every allocated (in-use) address in every block.</summary>
    private async Task<List<AllocationInfo>> AllocationsAsync() =>
        [.. (await Ipam.ListBlockInfosAsync(Ct)).SelectMany(b => b.Allocations).Where(a => !a.InCooldown)];

    [Fact]
    public async Task AutoAssign_FirstAllocation_ClaimsBlockConfirmedWithUpstreamShapes()
    {
        await AddPoolAsync("pool1", "10.65.0.0/16", 26);

        var result = await AssignAsync("k8s-pod-network.abc");

        var ip = Assert.Single(result.IPv4);
        Assert.Equal(32, ip.PrefixLength);
        var block = IpMath.Containing(ip.BaseAddress, 26);
        string cidr = Cidr.Format(block);
        Assert.Equal("{\"state\":\"confirmed\",\"deleted\":false}", await ValueAsync(ResourceKeys.IpamAffinity("node1", cidr)));
        Assert.Equal("{\"block\":{\"" + cidr + "\":1},\"deleted\":false}", await ValueAsync("/calico/ipam/v2/handle/k8s-pod-network.abc"));
        string? stored = await ValueAsync($"/calico/ipam/v2/assignment/ipv4/block/{cidr.Replace('/', '-')}");
        Assert.NotNull(stored);
        Assert.StartsWith("{\"cidr\":\"" + cidr + "\",\"affinity\":\"host:node1\",\"affinity_claim_time\":\"", stored, StringComparison.Ordinal);
        Assert.Contains("\"attributes\":[{\"handle_id\":\"k8s-pod-network.abc\"}]", stored, StringComparison.Ordinal);
        Assert.Equal([ip.BaseAddress], await Ipam.IpsByHandleAsync("k8s-pod-network.abc", Ct));
    }

    [Fact]
    public async Task AutoAssign_WholeBlock_HandsOutEveryAddressIncludingZeroAnd255()
    {
        await AddPoolAsync("pool1", "10.1.0.0/24", 24);

        var result = await AssignAsync("h1", num4: 256);

        var addresses = result.IPv4.Select(n => n.BaseAddress.ToString()).ToHashSet();
        Assert.Equal(256, addresses.Count);
        Assert.Contains("10.1.0.0", addresses);
        Assert.Contains("10.1.0.255", addresses);
    }

    [Fact]
    public async Task AutoAssign_PoolExhausted_ThrowsUpstreamMessageAndRollsBack()
    {
        await AddPoolAsync("pool1", "10.2.0.252/30", 30);
        await AssignAsync("h1", num4: 3);

        var error = await Assert.ThrowsAsync<IpamException>(() => AssignAsync("h2", num4: 2));

        Assert.Equal("Assigned 1 out of 2 requested IPv4 addresses; No IPs available in pools: [10.2.0.252/30]", error.Message);
        Assert.Empty(await Ipam.IpsByHandleAsync("h2", Ct));
        Assert.Null(await ValueAsync("/calico/ipam/v2/handle/h2"));
        var last = await AssignAsync("h3");
        Assert.Equal("10.2.0.255", last.IPv4[0].BaseAddress.ToString());
    }

    [Fact]
    public async Task AutoAssign_OtherHostsBlockHasSpace_BorrowsUnlessStrictAffinity()
    {
        await AddPoolAsync("pool1", "10.3.0.0/30", 31);
        var a = await AssignAsync("a1", host: "nodeA");
        var b = await AssignAsync("b1", host: "nodeB");
        Assert.NotEqual(IpMath.Containing(a.IPv4[0].BaseAddress, 31), IpMath.Containing(b.IPv4[0].BaseAddress, 31));

        await Ipam.SetConfigAsync(new IpamConfig { StrictAffinity = true }, Ct);
        var strict = await Assert.ThrowsAsync<IpamException>(() => AssignAsync("b2", host: "nodeB", num4: 2));
        Assert.Equal("Assigned 1 out of 2 requested IPv4 addresses; No more free affine blocks and strict affinity enabled", strict.Message);

        await Ipam.SetConfigAsync(new IpamConfig { StrictAffinity = false }, Ct);
        var borrowed = await AssignAsync("b2", host: "nodeB", num4: 2);
        var blocks = borrowed.IPv4.Select(n => IpMath.Containing(n.BaseAddress, 31)).ToHashSet();
        Assert.Equal(2, blocks.Count);
        Assert.Contains(IpMath.Containing(a.IPv4[0].BaseAddress, 31), blocks);
    }

    [Fact]
    public async Task AssignIp_SpecificAddress_AssignsOnceThenReportsInUse()
    {
        await AddPoolAsync("pool1", "10.4.0.0/24", 26);
        var address = IPAddress.Parse("10.4.0.77");

        await Ipam.AssignIpAsync(new AssignIpArgs { Address = address, HandleId = "fixed", Hostname = "node1", Attributes = new Dictionary<string, string> { ["pod"] = "p" } }, Ct);

        var info = await Ipam.GetAllocationAsync(address, Ct);
        Assert.NotNull(info);
        Assert.Equal("fixed", info.HandleId);
        Assert.Equal("p", info.Attributes["pod"]);
        Assert.Equal("{\"state\":\"confirmed\",\"deleted\":false}", await ValueAsync(ResourceKeys.IpamAffinity("node1", "10.4.0.64/26")));
        var again = await Assert.ThrowsAsync<IpamException>(() => Ipam.AssignIpAsync(new AssignIpArgs { Address = address, HandleId = "other", Hostname = "node1" }, Ct));
        Assert.Contains("already assigned", again.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<IpamException>(() => Ipam.AssignIpAsync(new AssignIpArgs { Address = IPAddress.Parse("192.168.9.9"), HandleId = "x", Hostname = "node1" }, Ct));
    }

    [Fact]
    public async Task AutoAssign_Reservation_SkippedByAutoAssignButNotByAssignIp()
    {
        await AddPoolAsync("pool1", "10.5.0.0/29", 29);
        await AddReservationAsync("res1", "10.5.0.0/31");

        var result = await AssignAsync("h1", num4: 6);

        Assert.DoesNotContain(result.IPv4, n => n.BaseAddress.ToString() is "10.5.0.0" or "10.5.0.1");
        await Assert.ThrowsAsync<IpamException>(() => AssignAsync("h2"));
        await Ipam.AssignIpAsync(new AssignIpArgs { Address = IPAddress.Parse("10.5.0.0"), HandleId = "h3", Hostname = "node1" }, Ct);
    }

    [Fact]
    public async Task Release_ByAddressThenByHandle_KeepsHandleCountsExact()
    {
        await AddPoolAsync("pool1", "10.6.0.0/24", 26);
        var result = await AssignAsync("h1", num4: 3);
        string cidr = Cidr.Format(IpMath.Containing(result.IPv4[0].BaseAddress, 26));

        var notAllocated = await Ipam.ReleaseIpsAsync([result.IPv4[0].BaseAddress, IPAddress.Parse("10.6.0.200")], Ct);

        Assert.Equal([IPAddress.Parse("10.6.0.200")], notAllocated);
        Assert.Equal("{\"block\":{\"" + cidr + "\":2},\"deleted\":false}", await ValueAsync("/calico/ipam/v2/handle/h1"));
        Assert.Equal(2, (await Ipam.IpsByHandleAsync("h1", Ct)).Count);
        Assert.True(await Ipam.ReleaseByHandleAsync("h1", Ct));
        Assert.Null(await ValueAsync("/calico/ipam/v2/handle/h1"));
        Assert.Empty(await AllocationsAsync());
        Assert.False(await Ipam.ReleaseByHandleAsync("h1", Ct));
    }

    [Fact]
    public async Task Release_StaleSequenceNumber_LeavesReallocatedAddressAlone()
    {
        await AddPoolAsync("pool1", "10.7.0.0/24", 26);
        var ip = (await AssignAsync("h1")).IPv4[0].BaseAddress;
        var before = await Ipam.GetAllocationAsync(ip, Ct);
        Assert.NotNull(before);

        var stale = await Ipam.ReleaseAsync([new ReleaseOptions(ip, SequenceNumber: before.SequenceNumber + 1)], Ct);

        Assert.Equal([ip], stale.Conflicts);
        Assert.NotNull(await Ipam.GetAllocationAsync(ip, Ct));
        var ok = await Ipam.ReleaseAsync([new ReleaseOptions(ip, SequenceNumber: before.SequenceNumber)], Ct);
        Assert.Empty(ok.Conflicts);
        Assert.Empty(ok.NotAllocated);
        Assert.Null(await Ipam.GetAllocationAsync(ip, Ct));
    }

    [Fact]
    public async Task AutoAssign_IPv6_AssignsSlash128FromIpv6Block()
    {
        await AddPoolAsync("pool4", "10.8.0.0/24", 26);
        await AddPoolAsync("pool6", "fd00:10::/120", 122);

        var result = await AssignAsync("h1", num4: 1, num6: 2);

        Assert.Single(result.IPv4);
        Assert.Equal(2, result.IPv6.Count);
        Assert.All(result.IPv6, n => Assert.Equal(128, n.PrefixLength));
        var block = Cidr.Format(IpMath.Containing(result.IPv6[0].BaseAddress, 122));
        Assert.StartsWith("fd00:10::", block, StringComparison.Ordinal);
        Assert.NotNull(await ValueAsync(ResourceKeys.IpamBlock(block)));
        Assert.True(await Ipam.ReleaseByHandleAsync("h1", Ct));
        Assert.Empty(await AllocationsAsync());
    }

    [Fact]
    public async Task AutoAssign_MaxBlocksPerHostReached_FailsWithLimitMessage()
    {
        await AddPoolAsync("pool1", "10.9.0.0/28", 30);
        await Ipam.SetConfigAsync(new IpamConfig { StrictAffinity = true, MaxBlocksPerHost = 1 }, Ct);
        Assert.Equal("{\"strict_affinity\":true,\"auto_allocate_blocks\":true,\"maxBlocksPerHost\":1,\"kubeVirtVMAddressPersistence\":\"Enabled\"}",
            await ValueAsync(ResourceKeys.IpamConfig));

        var error = await Assert.ThrowsAsync<IpamException>(() => AssignAsync("h1", num4: 5));

        Assert.Equal("Assigned 4 out of 5 requested IPv4 addresses; Need to allocate an IPAM block but could not - limit of 1 blocks reached for this node", error.Message);
        Assert.Empty(await AllocationsAsync());
    }

    [Fact]
    public async Task AutoAssign_PoolSelection_HonoursNodeSelectorUsesDisabledAndRequestedPools()
    {
        await AddPoolAsync("off", "10.10.0.0/24", 26, disabled: true);
        await AddPoolAsync("tunnels", "10.11.0.0/24", 26, allowedUses: ["Tunnel"]);
        await AddPoolAsync("elsewhere", "10.12.0.0/24", 26, nodeSelector: "zone == 'b'");
        await AddPoolAsync("main", "10.13.0.0/24", 26);

        var auto = await AssignAsync("h1");
        var tunnel = await Ipam.AutoAssignAsync(new AutoAssignArgs { HandleId = "t1", Hostname = "node1", IntendedUse = "Tunnel" }, Ct);
        var byName = await Ipam.AutoAssignAsync(new AutoAssignArgs { HandleId = "h2", Hostname = "node1", IPv4Pools = ["elsewhere"] }, Ct);

        Assert.StartsWith("10.13.0.", auto.IPv4[0].BaseAddress.ToString(), StringComparison.Ordinal);
        Assert.True(tunnel.IPv4[0].BaseAddress.ToString().StartsWith("10.11.0.", StringComparison.Ordinal)
            || tunnel.IPv4[0].BaseAddress.ToString().StartsWith("10.13.0.", StringComparison.Ordinal));
        Assert.StartsWith("10.12.0.", byName.IPv4[0].BaseAddress.ToString(), StringComparison.Ordinal);
        var disabled = await Assert.ThrowsAsync<IpamException>(() => Ipam.AutoAssignAsync(new AutoAssignArgs { HandleId = "h3", Hostname = "node1", IPv4Pools = ["10.10.0.0/24"] }, Ct));
        Assert.Equal("the given pool (10.10.0.0/24) does not exist, or is not enabled", disabled.Message);
    }

    [Fact]
    public async Task ReleaseEmptyBlocks_AfterEverythingReleased_DeletesBlockAndAffinity()
    {
        await AddPoolAsync("pool1", "10.14.0.0/24", 26);
        var ip = (await AssignAsync("h1")).IPv4[0].BaseAddress;
        string cidr = Cidr.Format(IpMath.Containing(ip, 26));
        Assert.Empty(await Ipam.ReleaseEmptyBlocksAsync("node1", Ct));

        await Ipam.ReleaseByHandleAsync("h1", Ct);
        var released = await Ipam.ReleaseEmptyBlocksAsync("node1", Ct);

        Assert.Equal(cidr, Cidr.Format(Assert.Single(released)));
        Assert.Null(await ValueAsync(ResourceKeys.IpamBlock(cidr)));
        Assert.Null(await ValueAsync(ResourceKeys.IpamAffinity("node1", cidr)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public async Task AutoAssign_FiftyConcurrentClients_NoDuplicatesNoLeaks(int hosts)
    {
        await AddPoolAsync("pool1", "10.20.0.0/22", 28);
        const int n = 50;
        var stores = Enumerable.Range(0, n).Select(_ => OpenStore()).ToList();
        try
        {
            var tasks = Enumerable.Range(0, n).Select(i => Task.Run(() =>
                AssignAsync($"c{i}", host: $"node{i % hosts}", client: new IpamClient(stores[i], TimeProvider.System)))).ToList();
            var results = await Task.WhenAll(tasks);

            var addresses = results.Select(r => Assert.Single(r.IPv4).BaseAddress).ToList();
            Assert.Equal(n, addresses.Distinct().Count());
            var allocations = await AllocationsAsync();
            Assert.Equal(n, allocations.Count);
            var handles = await Ipam.ListHandlesAsync(Ct);
            Assert.Equal(n, handles.Count);
            Assert.All(handles.Values, h => Assert.Equal(1, h.Values.Sum()));

            await Task.WhenAll(Enumerable.Range(0, n).Select(i => Task.Run(() =>
                new IpamClient(stores[i], TimeProvider.System).ReleaseByHandleAsync($"c{i}", Ct))));
            Assert.Empty(await AllocationsAsync());
            Assert.Empty(await Ipam.ListHandlesAsync(Ct));
        }
        finally
        {
            foreach (var s in stores)
            {
                await s.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task AutoAssign_WarmCache_CostsOneHandleCreateAndOneBlockWrite()
    {
        await AddPoolAsync("pool1", "10.30.0.0/24", 26);
        var counting = new CountingStore(Store);
        var client = new IpamClient(counting, TimeProvider.System) { CacheValidity = TimeSpan.FromMinutes(5) };
        var first = await AssignAsync("h0", client: client);
        string blockKey = ResourceKeys.IpamBlock(Cidr.Format(IpMath.Containing(first.IPv4[0].BaseAddress, 26)));
        await AssignAsync("h1", client: client); // the claim dropped the cached affinity list: this call lists it again
        counting.Reset();

        await AssignAsync("h2", client: client);

        Assert.Equal(["create /calico/ipam/v2/handle/h2", "update " + blockKey], counting.Log);
    }

    [Fact]
    public async Task AutoAssign_AfterPrefetchOnFreshClient_CostsOneHandleCreateAndOneBlockWrite()
    {
        await AddPoolAsync("pool1", "10.30.0.0/24", 26);
        var first = await AssignAsync("h0");
        string blockKey = ResourceKeys.IpamBlock(Cidr.Format(IpMath.Containing(first.IPv4[0].BaseAddress, 26)));
        var counting = new CountingStore(Store);
        var client = new IpamClient(counting, TimeProvider.System) { CacheValidity = TimeSpan.FromMinutes(5) };
        await client.PrefetchAutoAssignAsync("node1", ipv4: true, ipv6: false, Ct);
        counting.Reset();

        var second = await AssignAsync("h1", client: client);

        Assert.Equal(["create /calico/ipam/v2/handle/h1", "update " + blockKey], counting.Log);
        Assert.NotEqual(first.IPv4[0].BaseAddress, second.IPv4[0].BaseAddress);
    }

    [Fact]
    public async Task AutoAssign_PrefetchedBlockFilledByAnotherClient_NoDuplicateAndHandlesExact()
    {
        await AddPoolAsync("pool1", "10.30.1.0/24", 26);
        await AssignAsync("h0");
        var client = new IpamClient(Store, TimeProvider.System) { CacheValidity = TimeSpan.FromMinutes(5) };
        await client.PrefetchAutoAssignAsync("node1", ipv4: true, ipv6: false, Ct);
        var others = new List<IPAddress>();
        for (int i = 1; i <= 3; i++)
        {
            others.Add((await AssignAsync($"o{i}")).IPv4[0].BaseAddress);
        }

        var mine = (await AssignAsync("mine", client: client)).IPv4[0].BaseAddress;

        Assert.DoesNotContain(mine, others);
        Assert.Equal(5, (await AllocationsAsync()).Select(a => a.Address).Distinct().Count());
        var handles = await Ipam.ListHandlesAsync(Ct);
        Assert.Equal(1, handles["mine"].Values.Sum());
    }

    [Fact]
    public async Task AutoAssign_TwoClientsAlternatingOnOneHost_NeverDuplicate()
    {
        await AddPoolAsync("pool1", "10.31.0.0/24", 28);
        await using var otherStore = OpenStore();
        var clients = new[] { new IpamClient(Store, TimeProvider.System), new IpamClient(otherStore, TimeProvider.System) };
        const int n = 60;
        var addresses = new List<IPAddress>();

        for (int i = 0; i < n; i++)
        {
            var result = await AssignAsync($"alt{i}", client: clients[i % 2]);
            addresses.Add(Assert.Single(result.IPv4).BaseAddress);
        }

        Assert.Equal(n, addresses.Distinct().Count());
        Assert.Equal(n, (await AllocationsAsync()).Count);
        var handles = await Ipam.ListHandlesAsync(Ct);
        Assert.Equal(n, handles.Count);
        Assert.All(handles.Values, h => Assert.Equal(1, h.Values.Sum()));
        Assert.All(await Ipam.ListBlockInfosAsync(Ct), b => Assert.Equal("host:node1", b.Affinity));

        for (int i = 0; i < n; i++)
        {
            Assert.True(await clients[(i + 1) % 2].ReleaseByHandleAsync($"alt{i}", Ct));
        }

        Assert.Empty(await AllocationsAsync());
        Assert.Empty(await Ipam.ListHandlesAsync(Ct));
    }

    [Fact]
    public async Task AutoAssign_CachedBlockReclaimedByAnotherHost_DetectedAndNoDuplicate()
    {
        await AddPoolAsync("pool1", "10.32.0.0/26", 26);
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var cached = new IpamClient(Store, time) { CacheValidity = TimeSpan.FromMinutes(5) };
        await using var otherStore = OpenStore();
        var other = new IpamClient(otherStore, TimeProvider.System);
        var a1 = (await AssignAsync("a1", client: cached)).IPv4[0].BaseAddress;
        string cidr = Cidr.Format(IpMath.Containing(a1, 26));

        // Behind the cache's back: the block is emptied, released and claimed by node2.
        Assert.True(await other.ReleaseByHandleAsync("a1", Ct));
        Assert.Single(await other.ReleaseEmptyBlocksAsync("node1", Ct));
        var b1 = (await AssignAsync("b1", host: "node2", client: other)).IPv4[0].BaseAddress;
        Assert.Equal(cidr, Cidr.Format(IpMath.Containing(b1, 26)));

        var a2 = (await AssignAsync("a2", client: cached)).IPv4[0].BaseAddress;

        Assert.NotEqual(b1, a2);
        var block = Assert.Single(await Ipam.ListBlockInfosAsync(Ct));
        Assert.Equal("host:node2", block.Affinity);
        Assert.Equal(["a2", "b1"], block.Allocations.Where(a => !a.InCooldown).Select(a => a.HandleId).Order(StringComparer.Ordinal));
        Assert.Null(await ValueAsync(ResourceKeys.IpamAffinity("node1", cidr)));
        var handles = await Ipam.ListHandlesAsync(Ct);
        Assert.Equal(1, handles["a2"][cidr]);
    }

    [Fact]
    public async Task AutoAssign_CachedPoolDisabledOrCreated_ExpiryAndFailuresReadAfresh()
    {
        await AddPoolAsync("pool1", "10.33.0.0/24", 26);
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var client = new IpamClient(Store, time);
        Assert.StartsWith("10.33.", (await AssignAsync("h1", client: client)).IPv4[0].BaseAddress.ToString(), StringComparison.Ordinal);
        var resources = new ResourceClient(Store, TimeProvider.System);
        var pool1 = (IPPool)(await resources.GetAsync(ResourceKinds.IPPool, null, "pool1", Ct))!;
        pool1.Spec.Disabled = true;
        Assert.True((await resources.UpdateAsync(pool1, Ct)).Succeeded);
        await AddPoolAsync("pool2", "10.34.0.0/24", 26);

        // A pool created after the cache was filled is found: a failure is never reported from cached state.
        var byName = await client.AutoAssignAsync(new AutoAssignArgs { HandleId = "h2", Hostname = "node1", IPv4Pools = ["pool2"] }, Ct);
        Assert.StartsWith("10.34.", byName.IPv4[0].BaseAddress.ToString(), StringComparison.Ordinal);

        // Once the validity has passed, the disabled pool is no longer used.
        time.Advance(client.CacheValidity + TimeSpan.FromSeconds(1));
        Assert.StartsWith("10.34.", (await AssignAsync("h3", client: client)).IPv4[0].BaseAddress.ToString(), StringComparison.Ordinal);
        Assert.True((await resources.DeleteAsync(ResourceKinds.IPPool, null, "pool2", null, Ct)).Succeeded);
        time.Advance(client.CacheValidity + TimeSpan.FromSeconds(1));
        var none = await Assert.ThrowsAsync<IpamException>(() => AssignAsync("h4", client: client));
        Assert.Equal("cannot find a qualified ippool", none.Message);
    }

    [Fact]
    public async Task AutoAssign_CachedBlockFilledByAnotherClient_ClaimsNextBlockWithoutDuplicate()
    {
        await AddPoolAsync("pool1", "10.35.0.0/27", 29);
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var cached = new IpamClient(Store, time) { CacheValidity = TimeSpan.FromMinutes(5) };
        await using var otherStore = OpenStore();
        var other = new IpamClient(otherStore, TimeProvider.System);
        var first = (await AssignAsync("c0", client: cached)).IPv4[0].BaseAddress;

        // The other client fills the rest of the same affine block; the cached copy still shows 7 free.
        var filled = await AssignAsync("o1", client: other, num4: 7);
        Assert.All(filled.IPv4, n => Assert.Equal(IpMath.Containing(first, 29), IpMath.Containing(n.BaseAddress, 29)));

        var next = (await AssignAsync("c1", client: cached)).IPv4[0].BaseAddress;

        Assert.NotEqual(IpMath.Containing(first, 29), IpMath.Containing(next, 29));
        var all = await AllocationsAsync();
        Assert.Equal(9, all.Count);
        Assert.Equal(9, all.Select(a => a.Address).Distinct().Count());
        Assert.Equal(2, (await Ipam.ListBlockInfosAsync(Ct)).Count(b => b.Affinity == "host:node1"));
    }
}
