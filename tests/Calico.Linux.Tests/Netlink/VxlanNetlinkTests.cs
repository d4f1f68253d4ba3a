using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Calico.Linux.Netlink;
using Calico.TestKit;

namespace Calico.Linux.Tests.Netlink;

/// <summary>Root tier: VXLAN devices, neighbour and FDB entries, address removal, onlink routes, checked with ip/bridge too.</summary>
[Trait("Tier", "Root")]
public class VxlanNetlinkTests
{
    [Fact]
    public async Task CreateVxlan_AllAttributes_ReadBackByOurReaderAndIp()
    {
        using var scope = NewHost();
        using RouteNetlink netlink = await RouteNetlink.OpenInAsync(scope.Path, CancellationToken.None);
        int parent = netlink.GetLink("up0")!.Index;

        netlink.CreateVxlan(new VxlanSpec("vxlan.calico", 4096, 4789)
        {
            LocalAddress = IPAddress.Parse("192.0.2.1"),
            ParentIndex = parent,
            Mtu = 1450,
            Mac = "66:AA:BB:CC:DD:01",
        });

        LinkInfo link = netlink.GetLink("vxlan.calico")!;
        Assert.Equal(("vxlan", "66:aa:bb:cc:dd:01", 1450, false), (link.Kind, link.Mac, link.Mtu, link.IsUp));
        Assert.Equal(new VxlanAttributes(4096, 4789, IPAddress.Parse("192.0.2.1"), parent, Learning: false), link.Vxlan);
        JsonElement data = Assert.Single(scope.IpJson("-d", "link", "show", "vxlan.calico").EnumerateArray()).GetProperty("linkinfo").GetProperty("info_data");
        Assert.Equal(4096, data.GetProperty("id").GetInt32());
        Assert.Equal(4789, data.GetProperty("port").GetInt32());
        Assert.Equal("192.0.2.1", data.GetProperty("local").GetString());
        Assert.Equal("up0", data.GetProperty("link").GetString());
        Assert.False(data.GetProperty("learning").GetBoolean());
        Assert.Null(netlink.GetLink("up0")!.Vxlan);
    }

    [Fact]
    public async Task CreateVxlan_IPv6LocalAndLearning_ReadBack()
    {
        using var scope = NewHost();
        using RouteNetlink netlink = await RouteNetlink.OpenInAsync(scope.Path, CancellationToken.None);

        netlink.CreateVxlan(new VxlanSpec("vxlan-v6.calico", 70000, 8472) { LocalAddress = IPAddress.Parse("2001:db8:ffff::1"), Learning = true });

        VxlanAttributes vxlan = netlink.GetLink("vxlan-v6.calico")!.Vxlan!;
        Assert.Equal(new VxlanAttributes(70000, 8472, IPAddress.Parse("2001:db8:ffff::1"), 0, Learning: true), vxlan);
        NetlinkException taken = Assert.Throws<NetlinkException>(() => netlink.CreateVxlan(new VxlanSpec("vxlan-v6.calico", 1, 4789)));
        Assert.Contains("RTM_NEWLINK vxlan vxlan-v6.calico id 1 dstport 4789: File exists (EEXIST)", taken.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Neighbors_ArpAndFdb_ReplaceListDelete()
    {
        using var scope = NewHost();
        using RouteNetlink netlink = await RouteNetlink.OpenInAsync(scope.Path, CancellationToken.None);
        netlink.CreateVxlan(new VxlanSpec("vxlan.calico", 4096, 4789) { LocalAddress = IPAddress.Parse("192.0.2.1") });
        int vxlan = netlink.GetLink("vxlan.calico")!.Index;
        netlink.SetLinkUp(vxlan, true);
        var arp = NeighborEntry.Permanent(vxlan, IPAddress.Parse("10.244.1.1"), "66:00:00:00:00:02");
        var fdb = NeighborEntry.FdbSelf(vxlan, "66:00:00:00:00:02", IPAddress.Parse("192.0.2.2"));

        netlink.ReplaceNeighbor(arp);
        netlink.ReplaceNeighbor(fdb);
        netlink.ReplaceNeighbor(fdb with { Destination = IPAddress.Parse("192.0.2.3") });

        NeighborEntry readArp = Assert.Single(netlink.ListNeighbors(NeighborFamily.IPv4, vxlan));
        Assert.Equal((IPAddress.Parse("10.244.1.1"), "66:00:00:00:00:02", true), (readArp.Destination, readArp.Mac, readArp.IsPermanent));
        NeighborEntry readFdb = Assert.Single(netlink.ListNeighbors(NeighborFamily.Bridge, vxlan));
        Assert.Equal((IPAddress.Parse("192.0.2.3"), "66:00:00:00:00:02", true), (readFdb.Destination, readFdb.Mac, readFdb.IsPermanent));
        Assert.Contains("66:00:00:00:00:02 dst 192.0.2.3 self permanent", IpTool.RunProcess(Prerequisites.Require("ip"), ["netns", "exec", scope.Name, "bridge", "fdb", "show", "dev", "vxlan.calico"], throwOnError: true).Output, StringComparison.Ordinal);
        JsonElement ipNeigh = Assert.Single(scope.IpJson("neigh", "show", "dev", "vxlan.calico").EnumerateArray());
        Assert.Equal("66:00:00:00:00:02", ipNeigh.GetProperty("lladdr").GetString());
        Assert.Equal("PERMANENT", ipNeigh.GetProperty("state")[0].GetString());

        Assert.True(netlink.TryDeleteNeighbor(readArp with { Flags = 0 }));
        Assert.True(netlink.TryDeleteNeighbor(readFdb with { Flags = NeighborEntry.SelfFlag }));
        Assert.False(netlink.TryDeleteNeighbor(arp));
        Assert.False(netlink.TryDeleteNeighbor(fdb));
        Assert.Empty(netlink.ListNeighbors(NeighborFamily.IPv4, vxlan));
        Assert.Empty(netlink.ListNeighbors(NeighborFamily.Bridge, vxlan));
    }

    [Fact]
    public async Task Neighbors_Ndp_ReplaceAndList()
    {
        using var scope = NewHost();
        using RouteNetlink netlink = await RouteNetlink.OpenInAsync(scope.Path, CancellationToken.None);
        int up0 = netlink.GetLink("up0")!.Index;

        netlink.ReplaceNeighbor(NeighborEntry.Permanent(up0, IPAddress.Parse("2001:db8:ffff::9"), "02:00:00:00:00:09"));

        NeighborEntry entry = Assert.Single(netlink.ListNeighbors(NeighborFamily.IPv6, up0), n => n.IsPermanent);
        Assert.Equal((IPAddress.Parse("2001:db8:ffff::9"), "02:00:00:00:00:09"), (entry.Destination, entry.Mac));
    }

    [Fact]
    public async Task TryDeleteAddress_PresentThenAbsent()
    {
        using var scope = NewHost();
        using RouteNetlink netlink = await RouteNetlink.OpenInAsync(scope.Path, CancellationToken.None);
        int up0 = netlink.GetLink("up0")!.Index;
        netlink.AddAddress(up0, IPAddress.Parse("10.244.0.1"), 32);

        Assert.True(netlink.TryDeleteAddress(up0, IPAddress.Parse("10.244.0.1"), 32));
        Assert.False(netlink.TryDeleteAddress(up0, IPAddress.Parse("10.244.0.1"), 32));
        Assert.DoesNotContain(netlink.ListAddresses(AddressFamily.InterNetwork), a => a.Address.Equals(IPAddress.Parse("10.244.0.1")));
    }

    [Fact]
    public async Task ReplaceRoute_OnlinkViaTunnelAddress_Protocol80()
    {
        using var scope = NewHost();
        using RouteNetlink netlink = await RouteNetlink.OpenInAsync(scope.Path, CancellationToken.None);
        netlink.CreateVxlan(new VxlanSpec("vxlan.calico", 4096, 4789));
        int vxlan = netlink.GetLink("vxlan.calico")!.Index;
        netlink.SetLinkUp(vxlan, true);

        netlink.ReplaceRoute(new RouteSpec(IPNetwork.Parse("10.244.1.0/26"), vxlan) { Gateway = IPAddress.Parse("10.244.1.1"), OnLink = true, Protocol = 80 });

        RouteInfo route = Assert.Single(netlink.ListRoutes(new RouteFilter { Protocol = 80, Table = 254 }));
        Assert.Equal((vxlan, IPAddress.Parse("10.244.1.1"), true), (route.OutInterfaceIndex, route.Gateway, route.OnLink));
        JsonElement ip = Assert.Single(scope.IpJson("route", "show", "proto", "80").EnumerateArray());
        Assert.Equal("10.244.1.0/26", ip.GetProperty("dst").GetString());
        Assert.Equal("onlink", ip.GetProperty("flags")[0].GetString());
    }

    [Fact]
    public async Task CreateLink_Ipip_ThisKernelHasNoModule_NamesTheRefusal()
    {
        IpTool.RequireRootTier();
        string? failure = await NetworkNamespace.RunInThrowawayAsync(() =>
        {
            using RouteNetlink netlink = RouteNetlink.Open();
            try
            {
                netlink.CreateLink("tunl-test", "ipip");
                return null;
            }
            catch (NetlinkException ex)
            {
                return ex.Message;
            }
        });

        // Where the kernel does have ipip the link is created (inside the throwaway namespace, gone with it).
        if (Directory.Exists("/sys/module/ipip"))
        {
            Assert.Null(failure);
        }
        else
        {
            Assert.StartsWith("RTM_NEWLINK ipip tunl-test: Operation not supported (EOPNOTSUPP)", failure, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RunInThrowawayAsync_SeesAnEmptyNamespace()
    {
        IpTool.RequireRootTier();
        IReadOnlyList<string> names = await NetworkNamespace.RunInThrowawayAsync(() =>
        {
            using RouteNetlink netlink = RouteNetlink.Open();
            return (IReadOnlyList<string>)netlink.ListLinks().Select(l => l.Name).ToList();
        });

        Assert.Equal(["lo"], names);
    }

    /// <summary>A namespace with an underlay veth (up0 192.0.2.1/24, 2001:db8:ffff::1/64).</summary>
    private static NetnsScope NewHost()
    {
        var scope = new NetnsScope("calt-vx");
        try
        {
            scope.Ip("link", "add", "up0", "type", "veth", "peer", "name", "up1");
            scope.Ip("link", "set", "up0", "up");
            scope.Ip("link", "set", "up1", "up");
            scope.Ip("addr", "add", "192.0.2.1/24", "dev", "up0");
            scope.Ip("-6", "addr", "add", "2001:db8:ffff::1/64", "dev", "up0", "nodad");
            return scope;
        }
        catch
        {
            scope.Dispose();
            throw;
        }
    }
}
