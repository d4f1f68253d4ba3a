using System.Net;
using System.Net.Sockets;
using Calico.Felix.Dataplane.Vxlan;
using static Calico.Felix.Dataplane.Tests.VxlanTestbed;

namespace Calico.Felix.Dataplane.Tests;

/// <summary>
/// Root tier: the IPv6 manager (vxlan-v6.calico) in CrossSubnet beside the IPv4 one: a node in the parent's IPv6 subnet
/// is routed natively (no encapsulation: a real ping takes the parent), a node in another IPv6 subnet through the tunnel, and
/// neither family's manager touches the other's device or routes.
/// </summary>
[Trait("Tier", "Root")]
public sealed class VxlanManagerIPv6Tests
{
    private static readonly LocalVtep Host1V6 = new(IPAddress.Parse("fd00:65::1"), "66:00:00:00:06:01", IPAddress.Parse("2001:db8:ffff::1"));
    private static readonly LocalVtep Host2V6 = new(IPAddress.Parse("fd00:65::41"), "66:00:00:00:06:02", IPAddress.Parse("2001:db8:ffff::2"));

    /// <summary>A node in another IPv6 subnet (2001:db8:eeee::/64), never reachable here: only its route is checked.</summary>
    private static readonly RemoteVtep Host3V6 = new("host3", IPAddress.Parse("fd00:65::81"), "66:00:00:00:06:03", IPAddress.Parse("2001:db8:eeee::3"));

    [Fact]
    public async Task CrossSubnet_IPv6_SameSubnetNative_OtherSubnetTunnelled_PingWithoutEncapsulation()
    {
        using VxlanTestbed bed = await VxlanTestbed.CreateAsync();
        (VxlanManager v4, _) = bed.ConfigureBothHosts();
        var manager1 = new VxlanManager(bed.Netlink1, AddressFamily.InterNetworkV6);
        var manager2 = new VxlanManager(bed.Netlink2, AddressFamily.InterNetworkV6);
        manager1.SetLocalVtep(Host1V6);
        manager2.SetLocalVtep(Host2V6);
        manager1.SetRemoteVteps([new RemoteVtep("host2", Host2V6.TunnelAddress, Host2V6.Mac, Host2V6.NodeAddress), Host3V6]);
        manager2.SetRemoteVteps([new RemoteVtep("host1", Host1V6.TunnelAddress, Host1V6.Mac, Host1V6.NodeAddress)]);
        manager1.SetRemoteBlocks([new RemoteBlock(IPNetwork.Parse("fd00:65::40/122"), "host2"), new RemoteBlock(IPNetwork.Parse("fd00:65::80/122"), "host3")]);
        manager2.SetRemoteBlocks([new RemoteBlock(IPNetwork.Parse("fd00:65::/122"), "host1")]);
        manager1.SetMode(crossSubnet: true);
        manager2.SetMode(crossSubnet: true);
        bed.H2.Ip("-6", "addr", "add", "fd00:65::45/128", "dev", "lo");

        VxlanSyncResult v4First = v4.Apply();
        VxlanSyncResult first = manager1.Apply();
        manager2.Apply();
        (int exit, string output) = Ping(bed.H1, "fd00:65::45");

        Assert.True(first.Failures.Count == 0, string.Join("; ", first.Failures));
        Assert.Equal(
            ["fd00:65::40/122 via 2001:db8:ffff::2 dev u1", "fd00:65::80/122 via fd00:65::81 dev vxlan-v6.calico onlink"],
            FelixRoutes(bed.H1, "-6").Order(StringComparer.Ordinal));
        Assert.Equal(["10.244.1.0/26 via 10.244.1.1 dev vxlan.calico onlink"], FelixRoutes(bed.H1));
        Assert.Contains("66:00:00:00:06:03 dst 2001:db8:eeee::3 self permanent", Fdb(bed.H1, VxlanManager.IPv6DeviceName));
        Assert.Contains("fd00:65::81 66:00:00:00:06:03 PERMANENT", Neighbors(bed.H1, VxlanManager.IPv6DeviceName, "-6"));
        Assert.True(exit == 0, output);
        Assert.Equal("u1", Assert.Single(bed.H1.IpJson("-6", "route", "get", "fd00:65::45").EnumerateArray()).GetProperty("dev").GetString());
        Assert.True(v4First.Failures.Count == 0, string.Join("; ", v4First.Failures));
        Assert.Equal(0, v4.Apply().Writes);
        Assert.Equal(0, manager1.Apply().Writes);
    }

    [Fact]
    public async Task Off_IPv6_RemovesOnlyTheIPv6DeviceAndRoutes_IPv4StaysUntouched()
    {
        using VxlanTestbed bed = await VxlanTestbed.CreateAsync();
        (VxlanManager v4, _) = bed.ConfigureBothHosts();
        var v6 = new VxlanManager(bed.Netlink1, AddressFamily.InterNetworkV6);
        v6.SetLocalVtep(Host1V6);
        v6.SetRemoteVteps([new RemoteVtep("host2", Host2V6.TunnelAddress, Host2V6.Mac, Host2V6.NodeAddress)]);
        v6.SetRemoteBlocks([new RemoteBlock(IPNetwork.Parse("fd00:65::40/122"), "host2")]);
        v6.SetMode(crossSubnet: true);
        v4.Apply();
        v6.Apply();

        v6.SetLocalVtep(null);
        VxlanSyncResult off = v6.Apply();

        Assert.True(off.DeviceRemoved);
        Assert.Null(bed.Netlink1.GetLink(VxlanManager.IPv6DeviceName));
        Assert.Empty(FelixRoutes(bed.H1, "-6"));
        Assert.NotNull(bed.Netlink1.GetLink(VxlanManager.IPv4DeviceName));
        Assert.Equal(["10.244.1.0/26 via 10.244.1.1 dev vxlan.calico onlink"], FelixRoutes(bed.H1));
        Assert.Equal(0, v4.Apply().Writes);
    }
}
