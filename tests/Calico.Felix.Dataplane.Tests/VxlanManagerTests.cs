using System.Net;
using Calico.Felix.Dataplane.Vxlan;
using Calico.Linux.Netlink;
using static Calico.Felix.Dataplane.Tests.VxlanTestbed;

namespace Calico.Felix.Dataplane.Tests;

/// <summary>Root tier: two hosts (namespaces) with a VxlanManager each, checked with ip, bridge and real pings.</summary>
[Trait("Tier", "Root")]
public class VxlanManagerTests
{
    [Fact]
    public async Task Apply_TwoHosts_PingToRemoteBlockCrossesTheTunnel()
    {
        using VxlanTestbed bed = await VxlanTestbed.CreateAsync();
        (VxlanManager manager1, VxlanManager manager2) = bed.ConfigureBothHosts();

        VxlanSyncResult first = manager1.Apply();
        manager2.Apply();
        VxlanSyncResult again = manager1.Apply();

        Assert.True(first.DeviceCreated);
        Assert.Equal((1, 1, 1, 0), (first.NeighborsWritten, first.FdbWritten, first.RoutesWritten, first.Failures.Count));
        Assert.Equal((0, 1), (again.Writes, again.RoutesUnchanged));
        Assert.True(again.InSync);
        Assert.Equal(["10.244.1.0/26 via 10.244.1.1 dev vxlan.calico onlink"], FelixRoutes(bed.H1));
        Assert.Equal(["10.244.1.1 66:00:00:00:00:02 PERMANENT"], Neighbors(bed.H1));
        Assert.Contains("66:00:00:00:00:02 dst 192.0.2.2 self permanent", Fdb(bed.H1));
        LinkInfo device = bed.Netlink1.GetLink("vxlan.calico")!;
        int underlay = bed.Netlink1.GetLink("u1")!.Index;
        Assert.Equal((1450, "66:00:00:00:00:01", true), (device.Mtu, device.Mac, device.IsUp));
        Assert.Equal(new VxlanAttributes(4096, 4789, IPAddress.Parse("192.0.2.1"), underlay, Learning: false), device.Vxlan);
        Assert.Contains(bed.Netlink1.ListAddresses(), a => a.InterfaceIndex == device.Index && a.Address.Equals(IPAddress.Parse("10.244.0.1")) && a.PrefixLength == 32);

        long sentBefore = TxPackets(bed.H1);
        (int exit, string output) = Ping(bed.H1, "10.244.1.5");

        Assert.True(exit == 0, output);
        Assert.True(TxPackets(bed.H1) > sentBefore, "the echo request left through vxlan.calico");
    }

    [Fact]
    public async Task Apply_CrossSubnet_SameSubnetNativeOtherSubnetTunnel()
    {
        using VxlanTestbed bed = await VxlanTestbed.CreateAsync();
        (VxlanManager manager1, VxlanManager manager2) = bed.ConfigureBothHosts();

        // A third node in another subnet, behind a second underlay pair (h1 v1 198.51.100.1/24).
        bed.H1.Ip("link", "add", "v1", "type", "veth", "peer", "name", "v3");
        bed.H1.Ip("addr", "add", "198.51.100.1/24", "dev", "v1");
        bed.H1.Ip("link", "set", "v1", "up");
        var host3 = new RemoteVtep("host3", IPAddress.Parse("10.244.3.1"), "66:00:00:00:00:03", IPAddress.Parse("203.0.113.3"));
        manager1.SetRemoteVteps([Host2Remote, host3]);
        manager1.SetRemoteBlocks([Host2Block, new RemoteBlock(IPNetwork.Parse("10.244.3.0/26"), "host3")]);
        manager1.SetMode(crossSubnet: true);
        manager2.SetMode(crossSubnet: true);

        manager1.Apply();
        manager2.Apply();

        Assert.Equal(
            ["10.244.1.0/26 via 192.0.2.2 dev u1", "10.244.3.0/26 via 10.244.3.1 dev vxlan.calico onlink"],
            FelixRoutes(bed.H1).Order(StringComparer.Ordinal));
        Assert.Contains("66:00:00:00:00:03 dst 203.0.113.3 self permanent", Fdb(bed.H1));
        long sentBefore = TxPackets(bed.H1);
        (int exit, string output) = Ping(bed.H1, "10.244.1.5");
        Assert.True(exit == 0, output);
        Assert.Equal(sentBefore, TxPackets(bed.H1));

        // Back to always-encapsulate: the route moves onto the tunnel in place (replace), nothing left on u1.
        manager1.SetMode(crossSubnet: false);
        VxlanSyncResult back = manager1.Apply();

        Assert.Equal((1, 0, 1), (back.RoutesWritten, back.RoutesRemoved, back.RoutesUnchanged));
        Assert.Equal(
            ["10.244.1.0/26 via 10.244.1.1 dev vxlan.calico onlink", "10.244.3.0/26 via 10.244.3.1 dev vxlan.calico onlink"],
            FelixRoutes(bed.H1).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Apply_DriftByHand_Repaired()
    {
        using VxlanTestbed bed = await VxlanTestbed.CreateAsync();
        (VxlanManager manager1, _) = bed.ConfigureBothHosts();
        manager1.Apply();

        bed.H1.Exec("bridge", "fdb", "del", "66:00:00:00:00:02", "dev", "vxlan.calico", "dst", "192.0.2.2", "self");
        bed.H1.Ip("neigh", "replace", "10.244.1.1", "lladdr", "66:00:00:00:00:99", "dev", "vxlan.calico", "nud", "permanent");
        bed.H1.Ip("neigh", "add", "10.244.9.9", "lladdr", "66:00:00:00:00:09", "dev", "vxlan.calico", "nud", "permanent");
        bed.H1.Ip("route", "del", "10.244.1.0/26");
        bed.H1.Ip("route", "add", "10.244.7.0/26", "via", "10.244.7.1", "dev", "vxlan.calico", "onlink", "proto", "80");
        bed.H1.Ip("link", "set", "vxlan.calico", "mtu", "1300");
        bed.H1.Ip("addr", "add", "10.244.0.99/32", "dev", "vxlan.calico");
        Assert.DoesNotContain(Fdb(bed.H1), line => line.Contains("dst 192.0.2.2", StringComparison.Ordinal));

        VxlanSyncResult repaired = manager1.Apply();

        Assert.False(repaired.DeviceCreated);
        Assert.Equal((2, 1, 1, 1, 1, 1), (repaired.DeviceUpdates, repaired.NeighborsWritten, repaired.NeighborsRemoved, repaired.FdbWritten, repaired.RoutesWritten, repaired.RoutesRemoved));
        Assert.Contains("66:00:00:00:00:02 dst 192.0.2.2 self permanent", Fdb(bed.H1));
        Assert.Equal(["10.244.1.1 66:00:00:00:00:02 PERMANENT"], Neighbors(bed.H1));
        Assert.Equal(["10.244.1.0/26 via 10.244.1.1 dev vxlan.calico onlink"], FelixRoutes(bed.H1));
        Assert.Equal(1450, bed.Netlink1.GetLink("vxlan.calico")!.Mtu);
        Assert.Equal(0, manager1.Apply().Writes);
    }

    [Fact]
    public async Task Apply_DeviceWithOtherVni_Recreated()
    {
        using VxlanTestbed bed = await VxlanTestbed.CreateAsync();
        bed.H1.Ip("link", "add", "vxlan.calico", "type", "vxlan", "id", "1", "dstport", "4789", "local", "192.0.2.1", "dev", "u1");
        (VxlanManager manager1, _) = bed.ConfigureBothHosts();

        VxlanSyncResult result = manager1.Apply();

        Assert.True(result.DeviceCreated);
        Assert.Equal(4096, bed.Netlink1.GetLink("vxlan.calico")!.Vxlan!.Vni);
        Assert.Equal(["10.244.1.0/26 via 10.244.1.1 dev vxlan.calico onlink"], FelixRoutes(bed.H1));
    }

    [Fact]
    public async Task Apply_RemoteRemovedThenVxlanOff_EverythingOfOursGoesNothingElse()
    {
        using VxlanTestbed bed = await VxlanTestbed.CreateAsync();
        (VxlanManager manager1, _) = bed.ConfigureBothHosts();
        var host3 = new RemoteVtep("host3", IPAddress.Parse("10.244.3.1"), "66:00:00:00:00:03", IPAddress.Parse("192.0.2.3"));
        var block3 = new RemoteBlock(IPNetwork.Parse("10.244.3.0/26"), "host3");
        manager1.SetRemoteVteps([Host2Remote, host3]);
        manager1.SetRemoteBlocks([Host2Block, block3]);
        manager1.SetMode(crossSubnet: true);
        manager1.Apply();

        // Not ours: a static route and a neighbour on the underlay, a protocol-80 route without a gateway.
        bed.H1.Ip("route", "add", "172.16.0.0/16", "via", "192.0.2.2", "dev", "u1", "proto", "static");
        bed.H1.Ip("route", "add", "172.17.0.0/16", "dev", "u1", "proto", "80");
        bed.H1.Ip("neigh", "add", "192.0.2.9", "lladdr", "02:00:00:00:00:09", "dev", "u1", "nud", "permanent");

        manager1.SetRemoteVteps([Host2Remote]);
        manager1.SetRemoteBlocks([Host2Block]);
        VxlanSyncResult removed = manager1.Apply();

        Assert.Equal((1, 1, 1), (removed.NeighborsRemoved, removed.FdbRemoved, removed.RoutesRemoved));
        Assert.Equal(["10.244.1.0/26 via 192.0.2.2 dev u1"], FelixRoutes(bed.H1).Where(r => r.StartsWith("10.244.", StringComparison.Ordinal)));
        Assert.DoesNotContain(Fdb(bed.H1), line => line.Contains("66:00:00:00:00:03", StringComparison.Ordinal));

        manager1.SetLocalVtep(null);
        VxlanSyncResult off = manager1.Apply();

        Assert.True(off.DeviceRemoved);
        Assert.Null(bed.Netlink1.GetLink("vxlan.calico"));
        Assert.Equal(["172.17.0.0/16"], bed.H1.IpJson("route", "show", "proto", "80").EnumerateArray().Select(r => r.GetProperty("dst").GetString()));
        Assert.Single(bed.H1.IpJson("route", "show", "proto", "static").EnumerateArray());
        Assert.Equal(["192.0.2.9 02:00:00:00:00:09 PERMANENT"], Neighbors(bed.H1, "u1").Where(n => n.StartsWith("192.0.2.9", StringComparison.Ordinal)));
        Assert.Equal(0, manager1.Apply().Writes);
    }

    [Fact]
    public async Task Apply_NativeRouteInForeignPrefix_LeftToItsOwner()
    {
        using VxlanTestbed bed = await VxlanTestbed.CreateAsync();
        (VxlanManager manager1, _) = bed.ConfigureBothHosts();
        manager1.SetMode(crossSubnet: true);
        manager1.Apply();

        // An IP-in-IP CrossSubnet pool's native route: same device, gateway and protocol as VXLAN's own.
        bed.H1.Ip("route", "add", "10.250.0.0/26", "via", "192.0.2.2", "dev", "u1", "proto", "80");
        manager1.SetForeignPrefixes([IPNetwork.Parse("10.250.0.0/16")]);
        VxlanSyncResult kept = manager1.Apply();

        Assert.Equal(0, kept.RoutesRemoved);
        Assert.Contains("10.250.0.0/26 via 192.0.2.2 dev u1", FelixRoutes(bed.H1));

        manager1.SetForeignPrefixes([]);
        VxlanSyncResult claimed = manager1.Apply();

        Assert.Equal(1, claimed.RoutesRemoved);
        Assert.DoesNotContain("10.250.0.0/26 via 192.0.2.2 dev u1", FelixRoutes(bed.H1));
    }

    [Fact]
    public async Task Apply_BlockOfNodeWithoutVtep_PendingUntilVtepKnown()
    {
        using VxlanTestbed bed = await VxlanTestbed.CreateAsync();
        (VxlanManager manager1, _) = bed.ConfigureBothHosts();
        manager1.SetRemoteVteps([]);

        VxlanSyncResult pending = manager1.Apply();
        List<string> routesWhilePending = FelixRoutes(bed.H1);
        manager1.SetRemoteVteps([Host2Remote]);
        VxlanSyncResult routed = manager1.Apply();

        Assert.Equal((1, false), (pending.BlocksWithoutVtep, pending.InSync));
        Assert.Empty(routesWhilePending);
        Assert.Equal((0, 1, true), (routed.BlocksWithoutVtep, routed.RoutesWritten, routed.InSync));
    }

    [Fact]
    public async Task Apply_ParentMissing_FailureNamesIt()
    {
        using VxlanTestbed bed = await VxlanTestbed.CreateAsync();
        var manager = new VxlanManager(bed.Netlink1);
        manager.SetLocalVtep(Host1 with { NodeAddress = IPAddress.Parse("192.0.2.77") });

        VxlanSyncResult result = manager.Apply();

        Assert.Equal("vxlan.calico: no interface holds the node address 192.0.2.77 (the VXLAN parent)", Assert.Single(result.Failures));
        Assert.Null(bed.Netlink1.GetLink("vxlan.calico"));
    }

    [Fact]
    public async Task Apply_IPv6_PingOverVxlanV6()
    {
        using VxlanTestbed bed = await VxlanTestbed.CreateAsync();
        var local1 = new LocalVtep(IPAddress.Parse("fd00:244::1"), "66:00:00:00:06:01", IPAddress.Parse("2001:db8:ffff::1"));
        var local2 = new LocalVtep(IPAddress.Parse("fd00:244:1::1"), "66:00:00:00:06:02", IPAddress.Parse("2001:db8:ffff::2"));
        var manager1 = new VxlanManager(bed.Netlink1, System.Net.Sockets.AddressFamily.InterNetworkV6);
        var manager2 = new VxlanManager(bed.Netlink2, System.Net.Sockets.AddressFamily.InterNetworkV6);
        manager1.SetLocalVtep(local1);
        manager2.SetLocalVtep(local2);
        manager1.SetRemoteVteps([new RemoteVtep("host2", local2.TunnelAddress, local2.Mac, local2.NodeAddress), Host2Remote]);
        manager2.SetRemoteVteps([new RemoteVtep("host1", local1.TunnelAddress, local1.Mac, local1.NodeAddress)]);
        manager1.SetRemoteBlocks([new RemoteBlock(IPNetwork.Parse("fd00:244:1::/122"), "host2"), Host2Block]);
        manager2.SetRemoteBlocks([new RemoteBlock(IPNetwork.Parse("fd00:244::/122"), "host1")]);
        bed.H2.Ip("-6", "addr", "add", "fd00:244:1::5/128", "dev", "lo");

        VxlanSyncResult first = manager1.Apply();
        manager2.Apply();

        Assert.Equal((true, 1, 1, 1), (first.DeviceCreated, first.NeighborsWritten, first.FdbWritten, first.RoutesWritten));
        Assert.Equal(1430, bed.Netlink1.GetLink("vxlan-v6.calico")!.Mtu);
        Assert.Equal(["fd00:244:1::/122 via fd00:244:1::1 dev vxlan-v6.calico onlink"], FelixRoutes(bed.H1, "-6"));
        Assert.Contains("66:00:00:00:06:02 dst 2001:db8:ffff::2 self permanent", Fdb(bed.H1, "vxlan-v6.calico"));
        VxlanSyncResult again = manager1.Apply();
        Assert.True(again.Writes == 0, again.ToString());
        (int exit, string output) = Ping(bed.H1, "fd00:244:1::5");
        Assert.True(exit == 0, output);
        Assert.True(TxPackets(bed.H1, "vxlan-v6.calico") > 0);
    }
}
