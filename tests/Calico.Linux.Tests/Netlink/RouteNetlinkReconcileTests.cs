using System.Net;
using System.Net.Sockets;
using Calico.Linux.Netlink;
using Calico.TestKit;

namespace Calico.Linux.Tests.Netlink;

/// <summary>Root tier: the route operations a reconciler uses (filtered dump, replace, exact delete), oper state.</summary>
[Trait("Tier", "Root")]
public class RouteNetlinkReconcileTests
{
    [Fact]
    public async Task ReplaceRoute_MovesRouteBetweenInterfaces_WithoutDuplicate()
    {
        using var scope = new NetnsScope("calt-rt");
        CreateUpVeth(scope, "calia", "peera");
        CreateUpVeth(scope, "calib", "peerb");
        using RouteNetlink netlink = await RouteNetlink.OpenInAsync(scope.Path, CancellationToken.None);
        int a = netlink.GetLink("calia")!.Index;
        int b = netlink.GetLink("calib")!.Index;
        IPNetwork destination = IPNetwork.Parse("10.65.0.7/32");

        netlink.ReplaceRoute(new RouteSpec(destination, a) { Scope = Rtnl.RT_SCOPE_LINK });
        netlink.ReplaceRoute(new RouteSpec(destination, b) { Scope = Rtnl.RT_SCOPE_LINK });

        RouteInfo route = Assert.Single(netlink.ListRoutes(RouteFilter.MainTable), r => r.Destination == destination);
        Assert.Equal(b, route.OutInterfaceIndex);
        Assert.Equal("calib", Assert.Single(scope.IpJson("route", "show", "10.65.0.7/32").EnumerateArray()).GetProperty("dev").GetString());
    }

    [Fact]
    public async Task TryDeleteRoute_ExactRoute_DeletesOnceThenReportsAbsent()
    {
        using var scope = new NetnsScope("calt-rt");
        CreateUpVeth(scope, "calia", "peera");
        scope.Ip("route", "add", "10.65.0.8/32", "dev", "calia", "scope", "link");
        scope.Ip("-6", "route", "add", "fd00::8/128", "dev", "calia");
        using RouteNetlink netlink = await RouteNetlink.OpenInAsync(scope.Path, CancellationToken.None);
        IReadOnlyList<RouteInfo> routes = netlink.ListRoutes(RouteFilter.MainTable);
        RouteInfo v4 = Assert.Single(routes, r => r.Destination == IPNetwork.Parse("10.65.0.8/32"));
        RouteInfo v6 = Assert.Single(routes, r => r.Destination == IPNetwork.Parse("fd00::8/128"));

        Assert.True(netlink.TryDeleteRoute(v4));
        Assert.True(netlink.TryDeleteRoute(v6));
        Assert.False(netlink.TryDeleteRoute(v4));
        Assert.False(netlink.TryDeleteRoute(v6));
        Assert.Empty(scope.IpJson("route", "show", "dev", "calia").EnumerateArray());
    }

    [Fact]
    public async Task ListRoutes_Filter_ReturnsOnlyMatchingTableProtocolAndInterface()
    {
        using var scope = new NetnsScope("calt-rt");
        CreateUpVeth(scope, "calia", "peera");
        scope.Ip("route", "add", "10.65.0.1/32", "dev", "calia", "proto", "boot");
        scope.Ip("route", "add", "10.65.0.2/32", "dev", "calia", "proto", "static");
        scope.Ip("route", "add", "10.65.0.3/32", "dev", "peera", "proto", "boot");
        scope.Ip("route", "add", "10.65.0.4/32", "dev", "calia", "table", "100");
        using RouteNetlink netlink = await RouteNetlink.OpenInAsync(scope.Path, CancellationToken.None);
        int calia = netlink.GetLink("calia")!.Index;

        IReadOnlyList<RouteInfo> main = netlink.ListRoutes(RouteFilter.MainTable);
        IReadOnlyList<RouteInfo> bootOnCalia = netlink.ListRoutes(new RouteFilter { Table = 254, Protocol = 3, OutInterfaceIndex = calia, Family = AddressFamily.InterNetwork });
        IReadOnlyList<RouteInfo> table100 = netlink.ListRoutes(new RouteFilter { Table = 100 });

        Assert.All(main, r => Assert.Equal(254u, r.Table));
        Assert.DoesNotContain(main, r => r.Destination == IPNetwork.Parse("10.65.0.4/32"));
        Assert.Equal([IPNetwork.Parse("10.65.0.1/32")], bootOnCalia.Select(r => r.Destination));
        Assert.Equal([IPNetwork.Parse("10.65.0.4/32")], table100.Select(r => r.Destination));
    }

    [Fact]
    public async Task GetLink_VethEnds_ReportOperState()
    {
        using var scope = new NetnsScope("calt-rt");
        scope.Ip("link", "add", "calia", "type", "veth", "peer", "name", "peera");
        scope.Ip("link", "set", "calia", "up");
        using RouteNetlink netlink = await RouteNetlink.OpenInAsync(scope.Path, CancellationToken.None);

        Assert.Equal(LinkOperState.LowerLayerDown, netlink.GetLink("calia")!.OperState);
        Assert.Equal(LinkOperState.Down, netlink.GetLink("peera")!.OperState);
        scope.Ip("link", "set", "peera", "up");
        Assert.Equal(LinkOperState.Up, netlink.GetLink("calia")!.OperState);
    }

    [Fact]
    public async Task SysctlEnsure_WritesOnlyWhenDifferent()
    {
        using var scope = new NetnsScope("calt-rt");
        CreateUpVeth(scope, "calia", "peera");

        (bool first, bool second, bool missing) = await NetworkNamespace.RunInAsync(scope.Path, () =>
        {
            bool wroteFirst = Sysctl.Ensure("net/ipv4/conf/calia/proxy_arp", "1");
            bool wroteSecond = Sysctl.Ensure("net/ipv4/conf/calia/proxy_arp", "1");
            bool found = Sysctl.TryRead("net/ipv4/conf/nosuchif/proxy_arp", out _, out int errno);
            return (wroteFirst, wroteSecond, !found && errno == 2);
        });

        Assert.True(first);
        Assert.False(second);
        Assert.True(missing);
        Assert.Equal("1", scope.Sysctl("net/ipv4/conf/calia/proxy_arp"));
    }

    private static void CreateUpVeth(NetnsScope scope, string name, string peer)
    {
        scope.Ip("link", "add", name, "type", "veth", "peer", "name", peer);
        scope.Ip("link", "set", name, "up");
        scope.Ip("link", "set", peer, "up");
    }
}
