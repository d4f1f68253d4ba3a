using System.Net;
using System.Text.Json;
using Calico.Felix.Dataplane.Ipip;
using Calico.Linux.Netlink;
using Calico.TestKit;

namespace Calico.Felix.Dataplane.Tests;

/// <summary>
/// Root tier: IpipManager on two namespaces joined by a veth underlay (h1 u1 192.0.2.1/24, h2 u2 192.0.2.2/24). This
/// kernel has no ipip, so <c>tunl0</c> is a stand-in veth created beforehand: the manager finds it, and everything it
/// programs (MTU, up, address, onlink routes) is the kernel's real answer. iproute2 is the oracle: the same
/// configuration typed as <c>ip</c> commands on h2's stand-in gives the same routes and address.
/// </summary>
[Trait("Tier", "Root")]
public class IpipManagerTests
{
    private static readonly IpipLocal Host1 = new(IPAddress.Parse("192.0.2.1"), IPAddress.Parse("10.70.0.1"));
    private static readonly IPNetwork Pool = IPNetwork.Parse("10.70.0.0/16");
    private static readonly IpipBlock Host2Block = new(IPNetwork.Parse("10.70.1.0/26"), "host2", IPAddress.Parse("192.0.2.2"), CrossSubnet: false);
    private static readonly IpipBlock Host3Block = new(IPNetwork.Parse("10.70.3.0/26"), "host3", IPAddress.Parse("203.0.113.3"), CrossSubnet: true);

    [Fact]
    public async Task Apply_Always_StandInTunl0GetsMtuAddressUpAndOnlinkRoutes_AsIproute2WouldMakeThem()
    {
        using VxlanTestbed bed = await VxlanTestbed.CreateAsync();
        using var oracle = new NetnsScope("calt-ipo");
        AddStandIn(bed.H1);
        AddStandIn(oracle);
        oracle.Ip("link", "add", "u1", "type", "veth", "peer", "name", "u1p");
        oracle.Ip("addr", "add", "192.0.2.1/24", "dev", "u1");
        oracle.Ip("link", "set", "u1", "up");
        var manager = new IpipManager(bed.Netlink1);

        IpipSyncResult first = await ApplyAsync(manager, new IpipOverlay(Host1, [Host2Block, Host3Block], [Pool]));
        IpipSyncResult again = manager.Apply();

        Assert.Equal((false, false, 3, 2, 0), (first.DeviceCreated, first.DeviceMissing, first.DeviceUpdates, first.RoutesWritten, first.Failures.Count));
        Assert.Equal((0, 2), (again.Writes, again.RoutesUnchanged));
        Assert.Equal(
            ["10.70.1.0/26 via 192.0.2.2 dev tunl0 onlink", "10.70.3.0/26 via 203.0.113.3 dev tunl0 onlink"],
            VxlanTestbed.FelixRoutes(bed.H1).Order(StringComparer.Ordinal));
        LinkInfo tunl0 = bed.Netlink1.GetLink("tunl0")!;
        Assert.Equal((1480, true), (tunl0.Mtu, tunl0.IsUp));

        // The oracle: iproute2 makes the same objects in a namespace shaped like h1.
        oracle.Ip("link", "set", "tunl0", "mtu", "1480", "up");
        oracle.Ip("addr", "add", "10.70.0.1/32", "dev", "tunl0");
        oracle.Ip("route", "add", "10.70.1.0/26", "via", "192.0.2.2", "dev", "tunl0", "onlink", "proto", "80");
        oracle.Ip("route", "add", "10.70.3.0/26", "via", "203.0.113.3", "dev", "tunl0", "onlink", "proto", "80");
        Assert.Equal(RoutesOf(oracle), RoutesOf(bed.H1));
        Assert.Equal(AddressesOf(oracle), AddressesOf(bed.H1));
        Assert.Equal(["10.70.0.1/32 scope global"], AddressesOf(bed.H1));
    }

    [Fact]
    public async Task Apply_CrossSubnet_SameSubnetNativeOnTheParent_SwitchToAlwaysRewritesInPlace()
    {
        using VxlanTestbed bed = await VxlanTestbed.CreateAsync();
        AddStandIn(bed.H1);
        var manager = new IpipManager(bed.Netlink1);
        IpipBlock crossHost2 = Host2Block with { CrossSubnet = true };

        await ApplyAsync(manager, new IpipOverlay(Host1, [crossHost2, Host3Block], [Pool]));

        Assert.Equal(
            ["10.70.1.0/26 via 192.0.2.2 dev u1", "10.70.3.0/26 via 203.0.113.3 dev tunl0 onlink"],
            VxlanTestbed.FelixRoutes(bed.H1).Order(StringComparer.Ordinal));

        IpipSyncResult back = await ApplyAsync(manager, new IpipOverlay(Host1, [Host2Block, Host3Block], [Pool]));

        Assert.Equal((1, 0, 1), (back.RoutesWritten, back.RoutesRemoved, back.RoutesUnchanged));
        Assert.Equal(
            ["10.70.1.0/26 via 192.0.2.2 dev tunl0 onlink", "10.70.3.0/26 via 203.0.113.3 dev tunl0 onlink"],
            VxlanTestbed.FelixRoutes(bed.H1).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Apply_OwnsOnlyItsRoutesAndAddress_OffRemovesThemAndKeepsTheDevice()
    {
        using VxlanTestbed bed = await VxlanTestbed.CreateAsync();
        AddStandIn(bed.H1);
        var manager = new IpipManager(bed.Netlink1);

        // Others' routes: VXLAN's native route on the parent (protocol 80, outside the IP-in-IP pools), BIRD's, a
        // stray protocol-80 route through tunl0 and a stray address on it (the device is ours).
        bed.H1.Ip("route", "add", "10.66.1.0/26", "via", "192.0.2.2", "dev", "u1", "proto", "80");
        bed.H1.Ip("route", "add", "10.80.0.0/24", "via", "192.0.2.2", "dev", "u1", "proto", "bird");
        bed.H1.Ip("link", "set", "tunl0", "up");
        bed.H1.Ip("route", "add", "10.70.9.0/26", "via", "192.0.2.9", "dev", "tunl0", "onlink", "proto", "80");
        bed.H1.Ip("addr", "add", "10.99.0.1/32", "dev", "tunl0");

        IpipSyncResult applied = await ApplyAsync(manager, new IpipOverlay(Host1, [Host2Block with { CrossSubnet = true }], [Pool]));

        Assert.Equal((1, 1), (applied.RoutesWritten, applied.RoutesRemoved));
        Assert.Equal(["10.70.0.1/32 scope global"], AddressesOf(bed.H1));
        Assert.Equal(["10.66.1.0/26 via 192.0.2.2 dev u1", "10.70.1.0/26 via 192.0.2.2 dev u1"], VxlanTestbed.FelixRoutes(bed.H1).Order(StringComparer.Ordinal));

        IpipSyncResult off = await ApplyAsync(manager, IpipOverlay.Off);

        Assert.Equal(1, off.RoutesRemoved);
        Assert.Equal(["10.66.1.0/26 via 192.0.2.2 dev u1"], VxlanTestbed.FelixRoutes(bed.H1));
        Assert.Contains("10.80.0.0/24", bed.H1.Exec("ip", "route", "show", "proto", "bird").Output, StringComparison.Ordinal);
        Assert.Empty(AddressesOf(bed.H1));
        Assert.NotNull(bed.Netlink1.GetLink("tunl0"));
    }

    [Fact]
    public async Task Apply_NoTunl0_CreatedWhereTheKernelHasIpip_ElseReportedAndNativeRoutesStillProgrammed()
    {
        using VxlanTestbed bed = await VxlanTestbed.CreateAsync();
        var manager = new IpipManager(bed.Netlink1);

        IpipSyncResult result = await ApplyAsync(manager, new IpipOverlay(Host1, [Host2Block with { CrossSubnet = true }, Host3Block], [Pool]));

        if (result.DeviceMissing)
        {
            string failure = Assert.Single(result.Failures);
            Assert.Contains("RTM_NEWLINK ipip tunl0", failure, StringComparison.Ordinal);
            Assert.Equal(1, result.BlocksWithoutTunnel);
            Assert.Equal(["10.70.1.0/26 via 192.0.2.2 dev u1"], VxlanTestbed.FelixRoutes(bed.H1));
        }
        else
        {
            Assert.Equal("ipip", bed.Netlink1.GetLink("tunl0")!.Kind);
            Assert.Contains("10.70.3.0/26 via 203.0.113.3 dev tunl0 onlink", VxlanTestbed.FelixRoutes(bed.H1));
        }
    }

    [Fact]
    public void SetDesired_BadInput_NamesTheField()
    {
        using var netlink = RouteNetlink.Open();
        var manager = new IpipManager(netlink);

        ArgumentException v6 = Assert.Throws<ArgumentException>(() => manager.SetDesired(new IpipOverlay(Host1 with { TunnelAddress = IPAddress.Parse("fd00::1") }, [], [])));
        ArgumentException mtu = Assert.Throws<ArgumentException>(() => manager.SetDesired(new IpipOverlay(Host1 with { Mtu = 40 }, [], [])));
        ArgumentException block = Assert.Throws<ArgumentException>(() => manager.SetDesired(new IpipOverlay(Host1, [Host2Block with { NodeAddress = IPAddress.Parse("2001:db8::2") }], [])));

        Assert.Contains("IpipLocal.TunnelAddress fd00::1", v6.Message, StringComparison.Ordinal);
        Assert.Contains("IpipLocal.Mtu 40", mtu.Message, StringComparison.Ordinal);
        Assert.Contains("IpipBlock(host2).NodeAddress 2001:db8::2", block.Message, StringComparison.Ordinal);
    }

    private static async Task<IpipSyncResult> ApplyAsync(IpipManager manager, IpipOverlay overlay)
    {
        await manager.ApplyAsync(overlay, CancellationToken.None);
        return manager.LastSync!;
    }

    /// <summary>A veth named tunl0 (peer tunlp, both in the namespace), down, as a device the manager did not make.</summary>
    private static void AddStandIn(NetnsScope host) => host.Ip("link", "add", "tunl0", "type", "veth", "peer", "name", "tunlp");

    /// <summary>Routes through tunl0 as ip -j prints them (everything the kernel keeps: gateway, flags, protocol, scope).</summary>
    private static List<string> RoutesOf(NetnsScope host) =>
        host.IpJson("-4", "-d", "route", "show", "dev", "tunl0").EnumerateArray().Select(r => r.GetRawText()).Order(StringComparer.Ordinal).ToList();

    private static List<string> AddressesOf(NetnsScope host)
    {
        var result = new List<string>();
        foreach (JsonElement link in host.IpJson("-4", "addr", "show", "dev", "tunl0").EnumerateArray())
        {
            foreach (JsonElement address in link.GetProperty("addr_info").EnumerateArray())
            {
                result.Add($"{address.GetProperty("local").GetString()}/{address.GetProperty("prefixlen").GetInt32()} scope {address.GetProperty("scope").GetString()}");
            }
        }

        return result;
    }
}
