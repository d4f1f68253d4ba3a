using System.Net;
using Calico.Api;
using Calico.Felix.Dataplane.Ipip;
using Calico.Node.Routing;

namespace Calico.Node.Tests.Routing;

/// <summary>Unit tests: what IP-in-IP programs, from pools, nodes and block affinities (no kernel).</summary>
[Trait("Tier", "Unit")]
public sealed class IpipPlannerTests
{
    [Fact]
    public void Overlay_AlwaysPool_EveryRemoteBlockViaItsNodeThroughTheTunnel()
    {
        RoutingState state = State(
            [Pool("ipip", "10.70.0.0/16", "Always")],
            ("10.70.1.0/26", "host2"), ("10.70.2.0/26", "host3"), ("10.70.0.0/26", "host1"));

        IpipOverlay overlay = IpipPlanner.Overlay(state, ipipEnabled: null, mtu: 0);

        Assert.Equal(new IpipLocal(IPAddress.Parse("192.0.2.1"), IPAddress.Parse("10.70.0.1")), overlay.Local);
        Assert.Equal(
            [
                new IpipBlock(IPNetwork.Parse("10.70.1.0/26"), "host2", IPAddress.Parse("192.0.2.2"), CrossSubnet: false),
                new IpipBlock(IPNetwork.Parse("10.70.2.0/26"), "host3", IPAddress.Parse("198.51.100.3"), CrossSubnet: false),
            ],
            overlay.Blocks.OrderBy(b => b.Node, StringComparer.Ordinal));
        Assert.Equal([IPNetwork.Parse("10.70.0.0/16")], overlay.Pools);
    }

    [Fact]
    public void Overlay_CrossSubnetAndAlwaysPools_ModeFollowsEachBlocksPool()
    {
        RoutingState state = State(
            [Pool("always", "10.70.0.0/16", "Always"), Pool("cross", "10.71.0.0/16", "CrossSubnet"), Pool("vx", "10.72.0.0/16", "Never", vxlan: "Always"), Pool("plain", "10.73.0.0/16", "Never")],
            ("10.70.1.0/26", "host2"), ("10.71.1.0/26", "host2"), ("10.72.1.0/26", "host2"), ("10.73.1.0/26", "host2"));

        IpipOverlay overlay = IpipPlanner.Overlay(state, ipipEnabled: null, mtu: 1430);

        Assert.Equal(1430, overlay.Local!.Mtu);
        Assert.Equal(
            ["10.70.1.0/26 False", "10.71.1.0/26 True"],
            overlay.Blocks.Select(b => $"{b.Cidr} {b.CrossSubnet}").Order(StringComparer.Ordinal));
        Assert.Equal(2, overlay.Pools.Count);
    }

    [Fact]
    public void Overlay_NoIpipPoolOrDisabledOrIPv6_Off()
    {
        Assert.Same(IpipOverlay.Off, IpipPlanner.Overlay(State([Pool("vx", "10.72.0.0/16", "Never", vxlan: "Always")]), null, 0));
        IPPool disabled = Pool("ipip", "10.70.0.0/16", "Always");
        disabled.Spec.Disabled = true;
        Assert.Same(IpipOverlay.Off, IpipPlanner.Overlay(State([disabled], ("10.70.1.0/26", "host2")), null, 0));
        Assert.Empty(IpipPlanner.IpipPools(State([Pool("v6", "fd00:70::/48", "Always")])));
    }

    [Fact]
    public void Overlay_FelixIpipEnabledOverridesThePools()
    {
        RoutingState withPool = State([Pool("ipip", "10.70.0.0/16", "Always")], ("10.70.1.0/26", "host2"));
        RoutingState withoutPool = State([]);

        Assert.Same(IpipOverlay.Off, IpipPlanner.Overlay(withPool, ipipEnabled: false, 0));
        IpipOverlay forced = IpipPlanner.Overlay(withoutPool, ipipEnabled: true, 0);
        Assert.NotNull(forced.Local);
        Assert.Empty(forced.Blocks);
    }

    [Fact]
    public void Overlay_NodeWithoutIPv4Address_ItsBlocksAreNotRouted_AndSelfWithoutAddressIsOff()
    {
        RoutingState state = State([Pool("ipip", "10.70.0.0/16", "Always")], ("10.70.1.0/26", "host2"), ("10.70.4.0/26", "host4"));

        Assert.Equal(["host2"], IpipPlanner.Overlay(state, null, 0).Blocks.Select(b => b.Node));

        Api.Node self = state.Self!;
        self.Spec.Bgp!.Ipv4Address = null;
        Assert.Same(IpipOverlay.Off, IpipPlanner.Overlay(state, null, 0));
    }

    [Fact]
    public void Overlay_TunnelAddressNotYetAllocated_LocalWithoutAddress()
    {
        RoutingState state = State([Pool("ipip", "10.70.0.0/16", "Always")]);
        state.Self!.Spec.Bgp!.Ipv4IPIPTunnelAddr = null;

        Assert.Null(IpipPlanner.Overlay(state, null, 0).Local!.TunnelAddress);
    }

    [Fact]
    public void SetIpipAddress_ReleasedFromANodeWithOnlyTheTunnelAddress_BgpBecomesNull()
    {
        var node = new Api.Node { Metadata = { Name = "h" } };

        TunnelAddressAllocator.SetIpipAddress(node, "10.70.0.1");
        Assert.Equal("10.70.0.1", node.Spec.Bgp!.Ipv4IPIPTunnelAddr);

        TunnelAddressAllocator.SetIpipAddress(node, null);
        Assert.Null(node.Spec.Bgp);

        node.Spec.Bgp = new NodeBGPSpec { Ipv4Address = "192.0.2.1/24", Ipv4IPIPTunnelAddr = "10.70.0.1" };
        TunnelAddressAllocator.SetIpipAddress(node, null);
        Assert.Equal(("192.0.2.1/24", (string?)null), (node.Spec.Bgp!.Ipv4Address, node.Spec.Bgp.Ipv4IPIPTunnelAddr));
    }

    internal static IPPool Pool(string name, string cidr, string ipip, string vxlan = "Never")
    {
        var pool = new IPPool { Metadata = { Name = name } };
        pool.Spec.Cidr = cidr;
        pool.Spec.BlockSize = 26;
        pool.Spec.IpipMode = ipip;
        pool.Spec.VxlanMode = vxlan;
        return pool;
    }

    internal static Api.Node Node(string name, string? address, string? tunnel = null)
    {
        var node = new Api.Node { Metadata = { Name = name } };
        if (address is not null || tunnel is not null)
        {
            node.Spec.Bgp = new NodeBGPSpec { Ipv4Address = address, Ipv4IPIPTunnelAddr = tunnel };
        }

        return node;
    }

    /// <summary>host1 (this node, 192.0.2.1/24, tunnel 10.70.0.1), host2 (192.0.2.2/24), host3 (198.51.100.3/24), host4 (no address).</summary>
    private static RoutingState State(IReadOnlyList<IPPool> pools, params (string Cidr, string Owner)[] blocks) => new(
        "host1",
        [Node("host1", "192.0.2.1/24", "10.70.0.1"), Node("host2", "192.0.2.2/24"), Node("host3", "198.51.100.3/24"), Node("host4", null)],
        null,
        [],
        [],
        pools,
        blocks.ToDictionary(b => b.Cidr, b => b.Owner, StringComparer.Ordinal));
}
