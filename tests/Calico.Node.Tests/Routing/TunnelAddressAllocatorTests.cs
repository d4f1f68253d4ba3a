using System.Net;
using Calico.Api;
using Calico.Client;
using Calico.Datastore.Embedded;
using Calico.Ipam;
using Calico.Node.Routing;
using Calico.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.Node.Tests.Routing;

/// <summary>
/// The IPv6 VXLAN tunnel address, as upstream's allocator (<c>node/pkg/allocateip</c>): allocated from the IPv6 VXLAN
/// pool under handle <c>vxlan-v6-tunnel-addr-&lt;node&gt;</c> with attributes node and type
/// <c>vxlanV6TunnelAddress</c>, recorded with a MAC in Node <c>ipv6VXLANTunnelAddr</c> / <c>vxlanTunnelMACAddrV6</c>,
/// independent of the IPv4 one, and released when the pool stops asking for VXLAN. Embedded datastore, no kernel.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class TunnelAddressAllocatorTests
{
    [Fact]
    public async Task IPv6VxlanPool_AllocatesUpstreamsHandleAndAttributes_RecordsAddressAndMac_ThenIsStable()
    {
        await using var bed = await Bed.CreateAsync(v4Mode: "Never", v6Mode: "CrossSubnet");

        bool changed = await bed.Allocator.EnsureAsync(await bed.StateAsync(), CancellationToken.None);
        Api.Node node = await bed.NodeAsync();
        AllocationInfo? allocation = await bed.Ipam.GetAllocationAsync(IPAddress.Parse(node.Spec.Ipv6VXLANTunnelAddr!), CancellationToken.None);
        bool changedAgain = await bed.Allocator.EnsureAsync(await bed.StateAsync(), CancellationToken.None);

        Assert.True(changed);
        Assert.True(IPNetwork.Parse("fd00:65::/48").Contains(IPAddress.Parse(node.Spec.Ipv6VXLANTunnelAddr!)), node.Spec.Ipv6VXLANTunnelAddr);
        Assert.Matches("^[0-9a-f]{2}(:[0-9a-f]{2}){5}$", node.Spec.VxlanTunnelMACAddrV6);
        Assert.Null(node.Spec.Ipv4VXLANTunnelAddr);
        Assert.Null(node.Spec.VxlanTunnelMACAddr);
        Assert.NotNull(allocation);
        Assert.Equal("vxlan-v6-tunnel-addr-host1", allocation.HandleId);
        Assert.Equal(new Dictionary<string, string> { ["node"] = "host1", ["type"] = "vxlanV6TunnelAddress" }, allocation.Attributes.ToDictionary());
        Assert.False(changedAgain);
    }

    [Fact]
    public async Task BothFamilies_EachGetsItsOwnAddressAndMac_IPv6PoolToNever_ReleasesOnlyTheIPv6One()
    {
        await using var bed = await Bed.CreateAsync(v4Mode: "Always", v6Mode: "Always");
        await bed.Allocator.EnsureAsync(await bed.StateAsync(), CancellationToken.None);
        Api.Node both = await bed.NodeAsync();
        string v6 = both.Spec.Ipv6VXLANTunnelAddr!;

        await bed.SetV6ModeAsync("Never");
        await bed.Allocator.EnsureAsync(await bed.StateAsync(), CancellationToken.None);
        Api.Node after = await bed.NodeAsync();

        Assert.StartsWith("10.65.", both.Spec.Ipv4VXLANTunnelAddr, StringComparison.Ordinal);
        Assert.StartsWith("fd00:65:", v6, StringComparison.Ordinal);
        Assert.NotEqual(both.Spec.VxlanTunnelMACAddr, both.Spec.VxlanTunnelMACAddrV6);
        Assert.Equal((both.Spec.Ipv4VXLANTunnelAddr, both.Spec.VxlanTunnelMACAddr), (after.Spec.Ipv4VXLANTunnelAddr, after.Spec.VxlanTunnelMACAddr));
        Assert.Null(after.Spec.Ipv6VXLANTunnelAddr);
        Assert.Null(after.Spec.VxlanTunnelMACAddrV6);
        Assert.Null(await bed.Ipam.GetAllocationAsync(IPAddress.Parse(v6), CancellationToken.None));
        Assert.Empty(await bed.Ipam.IpsByHandleAsync("vxlan-v6-tunnel-addr-host1", CancellationToken.None));
        Assert.Single(await bed.Ipam.IpsByHandleAsync("vxlan-tunnel-addr-host1", CancellationToken.None));
    }

    private sealed class Bed : IAsyncDisposable
    {
        private readonly TempDirectory _dir;
        private readonly EmbeddedKeyValueStore _store;

        private Bed(TempDirectory dir, EmbeddedKeyValueStore store)
        {
            _dir = dir;
            _store = store;
            Client = new ResourceClient(store, TimeProvider.System);
            Ipam = new IpamClient(store, TimeProvider.System);
            Allocator = new TunnelAddressAllocator(Client, Ipam, NullLogger.Instance);
        }

        public ResourceClient Client { get; }

        public IpamClient Ipam { get; }

        public TunnelAddressAllocator Allocator { get; }

        public static async Task<Bed> CreateAsync(string v4Mode, string v6Mode)
        {
            var dir = new TempDirectory("tunnel-alloc");
            var bed = new Bed(dir, new EmbeddedKeyValueStore(dir.File("calico.db")));
            await bed.Client.EnsureInitializedAsync(CancellationToken.None);
            var node = new Api.Node { Metadata = { Name = "host1" } };
            node.Spec.Bgp = new NodeBGPSpec { Ipv4Address = "172.30.0.11/24", Ipv6Address = "fd00:30::11/64" };
            await MustAsync(bed.Client.CreateAsync(node, CancellationToken.None));
            await MustAsync(bed.Client.CreateAsync(Pool("v4", "10.65.0.0/16", 26, v4Mode), CancellationToken.None));
            await MustAsync(bed.Client.CreateAsync(Pool("v6", "fd00:65::/48", 122, v6Mode), CancellationToken.None));
            return bed;
        }

        public async Task<Api.Node> NodeAsync() => (Api.Node)(await Client.GetAsync(ResourceKinds.Node, null, "host1", CancellationToken.None))!;

        public async Task<RoutingState> StateAsync()
        {
            var (pools, _) = await Client.ListAsync(ResourceKinds.IPPool, null, CancellationToken.None);
            return new RoutingState("host1", [await NodeAsync()], null, [], [], pools.Cast<IPPool>().ToList(), new Dictionary<string, string>());
        }

        public async Task SetV6ModeAsync(string mode)
        {
            var pool = (IPPool)(await Client.GetAsync(ResourceKinds.IPPool, null, "v6", CancellationToken.None))!;
            pool.Spec.VxlanMode = mode;
            await MustAsync(Client.UpdateAsync(pool, CancellationToken.None));
        }

        public async ValueTask DisposeAsync()
        {
            await _store.DisposeAsync();
            _dir.Dispose();
        }

        private static IPPool Pool(string name, string cidr, int blockSize, string vxlanMode)
        {
            var pool = new IPPool { Metadata = { Name = name } };
            pool.Spec.Cidr = cidr;
            pool.Spec.BlockSize = blockSize;
            pool.Spec.VxlanMode = vxlanMode;
            pool.Spec.IpipMode = "Never";
            return pool;
        }

        private static async Task MustAsync(Task<OperationResult> operation)
        {
            OperationResult result = await operation;
            Assert.True(result.Succeeded, result.ToString());
        }
    }
}
