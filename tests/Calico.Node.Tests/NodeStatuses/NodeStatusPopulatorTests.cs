using Calico.Api;
using Calico.Bird.Control;
using Calico.Node.NodeStatuses;

namespace Calico.Node.Tests.NodeStatuses;

/// <summary>What BIRD said becomes CalicoNodeStatus.status as upstream's populators make it, for the classes asked.</summary>
[Trait("Tier", "Unit")]
public sealed class NodeStatusPopulatorTests
{
    internal static readonly BirdSnapshot Bird = new(
        new BirdDaemonStatus(true, "2.0.12", "10.0.0.1", "2026-12-06 12:26:39", "2026-12-06 12:26:17", "2026-12-06 12:26:30"),
        [
            Protocol("device1", "Device", "up", "12:26:17", null, null),
            Protocol("Mesh_10_0_0_2", "BGP", "up", "12:26:22", "Established", "10.0.0.2"),
            Protocol("Mesh_10_0_0_3", "BGP", "start", "12:27:16", "Active", "10.0.0.3"),
            Protocol("Global_10_0_0_254", "BGP", "up", "12:26:23", "Established", "10.0.0.254"),
            Protocol("Node_fd00__254", "BGP", "down", "12:26:23", "Down", "fd00::254"),
            Protocol("Local_Workload_10_1_1_1", "BGP", "up", "12:26:23", "Established", "10.1.1.1"),
        ],
        [
            new BirdRoute("master4", "10.70.1.0/26", "blackhole", null, null, "static_v4", true),
            new BirdRoute("master4", "10.70.2.0/26", "unicast", "10.0.0.2", "eth0", "Mesh_10_0_0_2", true),
            new BirdRoute("master4", "198.51.100.0/24", "unicast", "10.0.0.254", "eth0", "Global_10_0_0_254", true),
            new BirdRoute("master4", "10.0.0.0/24", "unicast", null, "eth0", "direct1", true),
            new BirdRoute("master4", "10.0.0.0/24", "unicast", "10.0.0.2", "eth0", "Mesh_10_0_0_2", false),
            new BirdRoute("master4", "10.70.1.5/32", "unicast", null, "cali123", "kernel_v4", true),
            new BirdRoute("master4", "10.9.9.0/24", "unicast", null, "eth0", "something_else", true),
            new BirdRoute("master6", "2001:db8:100::/48", "unicast", "fd00::254", "eth0", "Node_fd00__254", true),
        ]);

    private static BirdProtocolDetail Protocol(string name, string proto, string state, string since, string? bgpState, string? neighbor) =>
        new(new BirdProtocolStatus(name, proto, "---", state, since, bgpState ?? ""), bgpState, neighbor);

    [Fact]
    public void AllClasses_AgentPeersAndRoutesAsUpstream()
    {
        CalicoNodeStatusStatus status = NodeStatusPopulator.Build(["Agent", "BGP", "Routes"], Bird);

        Assert.Null(status.LastUpdated);
        Assert.Equal(("Ready", "2.0.12", "10.0.0.1", "2026-12-06 12:26:17", "2026-12-06 12:26:30"),
            (status.Agent!.BirdV4!.State, status.Agent.BirdV4.Version, status.Agent.BirdV4.RouterID, status.Agent.BirdV4.LastBootTime, status.Agent.BirdV4.LastReconfigurationTime));
        Assert.Equal("Ready", status.Agent.BirdV6!.State); // one BIRD 2 serves both families

        CalicoNodeBGPStatus bgp = status.Bgp!;
        Assert.Equal((2, 1, 0, 1), (bgp.NumberEstablishedV4, bgp.NumberNotEstablishedV4, bgp.NumberEstablishedV6, bgp.NumberNotEstablishedV6));
        Assert.Equal(
            ["10.0.0.2 NodeMesh Established 12:26:22", "10.0.0.3 NodeMesh Active 12:27:16", "10.0.0.254 GlobalPeer Established 12:26:23"],
            bgp.PeersV4!.Select(p => $"{p.PeerIP} {p.Type} {p.State} {p.Since}"));
        // BIRD's "Down" (a disabled session) is not one of the API's session states: left empty, as upstream.
        Assert.Equal(("fd00::254", "NodePeer", null), (bgp.PeersV6![0].PeerIP, bgp.PeersV6[0].Type, bgp.PeersV6[0].State));

        Assert.Equal(
            [
                "FIB 10.70.1.0/26 N/A blackhole Static -",
                "FIB 10.70.2.0/26 10.0.0.2 eth0 NodeMesh 10.0.0.2",
                "FIB 198.51.100.0/24 10.0.0.254 eth0 BGPPeer 10.0.0.254",
                "FIB 10.0.0.0/24 N/A eth0 Direct -",
                "RIB 10.0.0.0/24 10.0.0.2 eth0 NodeMesh 10.0.0.2",
                "FIB 10.70.1.5/32 N/A cali123 Kernel -",
            ],
            status.Routes!.RoutesV4!.Select(r => $"{r.Type} {r.Destination} {r.Gateway} {r.Interface} {r.LearnedFrom!.SourceType} {r.LearnedFrom.PeerIP ?? "-"}"));
        Assert.Equal("BGPPeer fd00::254", status.Routes.RoutesV6!.Select(r => $"{r.LearnedFrom!.SourceType} {r.LearnedFrom.PeerIP}").Single());
    }

    [Theory]
    [InlineData("Agent")]
    [InlineData("BGP")]
    [InlineData("Routes")]
    public void OneClass_OthersStayEmpty(string only)
    {
        CalicoNodeStatusStatus status = NodeStatusPopulator.Build([only], Bird);

        Assert.Equal(only == "Agent", status.Agent is not null);
        Assert.Equal(only == "BGP", status.Bgp is not null);
        Assert.Equal(only == "Routes", status.Routes is not null);
    }

    [Fact]
    public void NoBird_AgentNotReady_NoPeersNoRoutes()
    {
        CalicoNodeStatusStatus status = NodeStatusPopulator.Build(["Agent", "BGP", "Routes"], BirdSnapshot.Unreachable);

        Assert.Equal(("NotReady", null, "NotReady"), (status.Agent!.BirdV4!.State, status.Agent.BirdV4.Version, status.Agent.BirdV6!.State));
        Assert.Equal((0, 0, null), (status.Bgp!.NumberEstablishedV4, status.Bgp.NumberNotEstablishedV4, status.Bgp.PeersV4));
        Assert.Null(status.Routes!.RoutesV4);
    }
}
