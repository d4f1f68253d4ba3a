using Calico.Bird.Control;

namespace Calico.Bird.Tests;

/// <summary>
/// The replies CalicoNodeStatus is filled from (<c>show status</c>, <c>show protocols all</c>, <c>show route</c>),
/// on text captured from BIRD 2.0.12 with a mesh session up, one down and a disabled global peer.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class BirdStatusParsingTests
{
    private static BirdReply Reply(params string[] lines)
    {
        var reader = new BirdReplyReader();
        for (var i = 0; i < lines.Length; i++)
        {
            Assert.Equal(i == lines.Length - 1, reader.Add(lines[i]));
        }

        return reader.Take();
    }

    [Fact]
    public void ShowStatus_Bird2_VersionRouterIdAndTimes()
    {
        var status = BirdDaemonStatus.Parse(Reply(
            "1000-BIRD 2.0.12",
            "1011-Router ID is 10.99.0.1",
            " Hostname is vm",
            " Current server time is 2026-12-06 12:26:39.073",
            " Last reboot on 2026-12-06 12:26:17.696",
            " Last reconfiguration on 2026-12-06 12:26:30.978",
            "0013 Daemon is up and running"));

        Assert.Equal(new BirdDaemonStatus(true, "2.0.12", "10.99.0.1", "2026-12-06 12:26:39.073", "2026-12-06 12:26:17.696", "2026-12-06 12:26:30.978"), status);
    }

    [Fact]
    public void ShowStatus_ShuttingDown_NotUp()
    {
        var status = BirdDaemonStatus.Parse(Reply("1000-BIRD 2.0.12", "1011-Router ID is 10.99.0.1", "0016 Shutdown in progress"));

        Assert.False(status.Up);
        Assert.Equal("10.99.0.1", status.RouterId);
    }

    [Fact]
    public void ShowProtocolsAll_BgpStateAndNeighbourPerSession()
    {
        var details = BirdProtocolDetail.ParseAll(Reply(
            "2002-Name       Proto      Table      State  Since         Info",
            "1002-device1    Device     ---        up     12:26:17.696  ",
            "1006-",
            "1002-kernel1    Kernel     master4    up     12:26:17.696  ",
            "1006-  Channel ipv4",
            "     State:          UP",
            "     Table:          master4",
            " ",
            "1002-Mesh_10_99_0_2 BGP        ---        start  12:27:16.737  Active        Received: Administrative shutdown",
            "1006-  BGP state:          Active",
            "     Neighbor address: 10.99.0.2",
            "     Neighbor AS:      64512",
            "     Local AS:         64512",
            "     Connect delay:    1.702/5",
            "     Last error:       Received: Administrative shutdown",
            "   Channel ipv4",
            "     State:          DOWN",
            " ",
            "1002-Mesh_fd99__2 BGP        ---        up     12:26:22.456  Established   ",
            "1006-  BGP state:          Established",
            "     Neighbor address: fd99::2",
            "     Neighbor AS:      64512",
            "     Local capabilities",
            "       Multiprotocol",
            "         AF announced: ipv6",
            "     Session:          internal multihop AS4",
            "   Channel ipv6",
            "     State:          UP",
            " ",
            "1002-Global_10_99_0_9 BGP        ---        down   12:27:16.740  ",
            "1006-  BGP state:          Down",
            "     Neighbor address: 10.99.0.9",
            "     Neighbor AS:      65000",
            " ",
            "0000 "));

        Assert.Equal(["device1", "kernel1", "Mesh_10_99_0_2", "Mesh_fd99__2", "Global_10_99_0_9"], details.Select(d => d.Row.Name));
        Assert.Null(details[1].BgpState);
        Assert.Equal(("start", "12:27:16.737", "Active", "10.99.0.2"), (details[2].Row.State, details[2].Row.Since, details[2].BgpState, details[2].NeighborAddress));
        Assert.Equal(("up", "Established", "fd99::2"), (details[3].Row.State, details[3].BgpState, details[3].NeighborAddress));
        Assert.Equal(("down", "Down", "10.99.0.9"), (details[4].Row.State, details[4].BgpState, details[4].NeighborAddress));
    }

    [Fact]
    public void ShowRoute_Bird2_BothTablesAlternativesAndNextHops()
    {
        var routes = BirdRoute.ParseAll(Reply(
            "1007-Table master4:",
            " 10.70.1.0/26         blackhole [static1 12:26:17.696] * (200)",
            "                      unicast [Mesh_10_99_0_2 12:26:30.984] (100) [i]",
            " \tvia 10.99.0.2 on va22997",
            " 10.70.2.0/26         unicast [Mesh_10_99_0_2 12:26:22.455 from 10.99.0.2] * (100) [i]",
            " \tvia 10.99.0.2 on va22997",
            " 10.55.0.0/24         unicast [kernel1 12:26:23.706] * (10)",
            " \tdev va22997",
            " 10.80.0.0/24         unicast [kernel1 12:26:23.706] * (10)",
            " \tvia 10.99.0.7 on va22997 weight 1",
            " \tvia 10.99.0.8 on va22997 weight 1",
            " ",
            " Table master6:",
            " fd70:2::/122         unicast [Mesh_fd99__2 12:26:22.619] * (100) [i]",
            " \tvia fd99::2 on va22997",
            " fd99::/64            unicast [direct1 12:26:30.979] * (240)",
            " \tdev va22997",
            "0000 "));

        Assert.Equal(
            [
                new BirdRoute("master4", "10.70.1.0/26", "blackhole", null, null, "static1", true),
                new BirdRoute("master4", "10.70.1.0/26", "unicast", "10.99.0.2", "va22997", "Mesh_10_99_0_2", false),
                new BirdRoute("master4", "10.70.2.0/26", "unicast", "10.99.0.2", "va22997", "Mesh_10_99_0_2", true),
                new BirdRoute("master4", "10.55.0.0/24", "unicast", null, "va22997", "kernel1", true),
                new BirdRoute("master4", "10.80.0.0/24", "unicast", "10.99.0.7", "va22997", "kernel1", true),
                new BirdRoute("master6", "fd70:2::/122", "unicast", "fd99::2", "va22997", "Mesh_fd99__2", true),
                new BirdRoute("master6", "fd99::/64", "unicast", null, "va22997", "direct1", true),
            ],
            routes);
    }

    [Fact]
    public void ShowRouteAll_AttributeLinesIgnored()
    {
        var routes = BirdRoute.ParseAll(Reply(
            "1007-Table master4:",
            " 10.70.1.0/26         blackhole [static1 12:26:17.696] * (200)",
            "1008-\tType: static univ",
            "1007-10.70.2.0/26         unicast [Mesh_10_99_0_2 12:26:22.455] * (100) [i]",
            " \tvia 10.99.0.2 on va22997",
            "1008-\tType: BGP univ",
            "1012-\tBGP.origin: IGP",
            " \tBGP.next_hop: 10.99.0.2",
            "0000 "));

        Assert.Equal(2, routes.Count);
        Assert.Equal(new BirdRoute("master4", "10.70.2.0/26", "unicast", "10.99.0.2", "va22997", "Mesh_10_99_0_2", true), routes[1]);
    }

    [Fact]
    public void ShowRoute_Error_Throws() =>
        Assert.Throws<BirdControlException>(() => BirdRoute.ParseAll(Reply("9001 syntax error")));
}
