using System.Net;
using System.Net.Sockets;
using Calico.Api;
using Calico.Felix.Dataplane.Vxlan;
using Calico.Node.Routing;

namespace Calico.Node.Tests.Routing;

/// <summary>
/// What calico-node programs for VXLAN, per family, from the routing state alone: the IPv6 pools, VTEPs and blocks feed
/// vxlan-v6.calico exactly as the IPv4 ones feed vxlan.calico, and neither family leaks into the other.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class VxlanPlannerTests
{
    private const AddressFamily V4 = AddressFamily.InterNetwork;
    private const AddressFamily V6 = AddressFamily.InterNetworkV6;

    [Fact]
    public void VxlanPools_IPv6PoolWithVxlanMode_OnlyInTheIPv6Family()
    {
        RoutingState state = State(Pool("v4", "10.65.0.0/16", "Never"), Pool("v6", "fd00:65::/48", "CrossSubnet"), Pool("v6-off", "fd00:66::/48", "Always", disabled: true));

        Assert.Empty(VxlanPlanner.VxlanPools(state, V4));
        Assert.Equal(["v6"], VxlanPlanner.VxlanPools(state, V6).Select(p => p.Metadata.Name));
        Assert.Empty(VxlanPlanner.VxlanPools(state));
    }

    [Fact]
    public void CrossSubnet_FollowsEachFamilysOwnPools()
    {
        RoutingState state = State(Pool("v4", "10.65.0.0/16", "Always"), Pool("v6", "fd00:65::/48", "CrossSubnet"));

        Assert.False(VxlanPlanner.CrossSubnet(state, V4));
        Assert.True(VxlanPlanner.CrossSubnet(state, V6));
    }

    [Fact]
    public void RemoteVteps_IPv6_FromIpv6TunnelAddressMacAndBgpAddress_NodesMissingAPartAreSkipped()
    {
        RoutingState state = State([Pool("v6", "fd00:65::/48", "Always")], Node("host1"), Node("host2"), Node("host3", mac6: null), Node("host4", address6: null));

        RemoteVtep vtep = Assert.Single(VxlanPlanner.RemoteVteps(state, V6));

        Assert.Equal(new RemoteVtep("host2", IPAddress.Parse("fd00:65::2:1"), "66:00:00:00:06:02", IPAddress.Parse("fd00:30::12")), vtep);
        Assert.Equal(["host2", "host3", "host4"], VxlanPlanner.RemoteVteps(state, V4).Select(v => v.Node));
        Assert.All(VxlanPlanner.RemoteVteps(state, V4), v => Assert.Equal(V4, v.TunnelAddress.AddressFamily));
    }

    [Fact]
    public void Vtep_IPv6_AddressOfTheWrongFamilyInTheV6Field_NoVtep()
    {
        Api.Node node = Node("host2");
        node.Spec.Ipv6VXLANTunnelAddr = "10.65.1.1";

        Assert.Null(VxlanPlanner.Vtep(node, V6));
        Assert.NotNull(VxlanPlanner.Vtep(node, V4));
    }

    [Fact]
    public void RemoteBlocks_IPv6_OtherNodesBlocksOfIPv6VxlanPoolsOnly()
    {
        var owners = new Dictionary<string, string>
        {
            ["fd00:65::/122"] = "host1",
            ["fd00:65::40/122"] = "host2",
            ["fd00:77::/122"] = "host3",
            ["10.65.1.0/26"] = "host2",
        };
        RoutingState state = State([Pool("v4", "10.65.0.0/16", "Always"), Pool("v6", "fd00:65::/48", "CrossSubnet"), Pool("v6-plain", "fd00:77::/48", "Never")], owners, Node("host1"), Node("host2"));

        Assert.Equal([new RemoteBlock(IPNetwork.Parse("fd00:65::40/122"), "host2")], VxlanPlanner.RemoteBlocks(state, V6));
        Assert.Equal([new RemoteBlock(IPNetwork.Parse("10.65.1.0/26"), "host2")], VxlanPlanner.RemoteBlocks(state, V4));
    }

    private static RoutingState State(params IPPool[] pools) => State(pools, new Dictionary<string, string>());

    private static RoutingState State(IPPool[] pools, params Api.Node[] nodes) => State(pools, new Dictionary<string, string>(), nodes);

    private static RoutingState State(IPPool[] pools, Dictionary<string, string> owners, params Api.Node[] nodes) =>
        new("host1", nodes, null, [], [], pools, owners);

    private static IPPool Pool(string name, string cidr, string vxlanMode, bool disabled = false)
    {
        var pool = new IPPool { Metadata = { Name = name } };
        pool.Spec.Cidr = cidr;
        pool.Spec.VxlanMode = vxlanMode;
        pool.Spec.Disabled = disabled;
        return pool;
    }

    /// <summary>hostN: 172.30.0.1N / fd00:30::1N, tunnel addresses 10.65.N.1 / fd00:65::N:1, MACs 66:..:04:0N / 66:..:06:0N.</summary>
    private static Api.Node Node(string name, string? mac6 = "", string? address6 = "")
    {
        string n = name[^1..];
        var node = new Api.Node { Metadata = { Name = name } };
        node.Spec.Bgp = new NodeBGPSpec { Ipv4Address = $"172.30.0.1{n}/24", Ipv6Address = address6 == "" ? $"fd00:30::1{n}/64" : address6 };
        node.Spec.Ipv4VXLANTunnelAddr = $"10.65.{n}.1";
        node.Spec.VxlanTunnelMACAddr = $"66:00:00:00:04:0{n}";
        node.Spec.Ipv6VXLANTunnelAddr = $"fd00:65::{n}:1";
        node.Spec.VxlanTunnelMACAddrV6 = mac6 == "" ? $"66:00:00:00:06:0{n}" : mac6;
        return node;
    }
}
