using System.Net;
using System.Net.Sockets;
using Calico.Felix.Dataplane.Vxlan;
using Calico.Linux.Netlink;

namespace Calico.Felix.Dataplane.Tests;

/// <summary>Unit tests: desired state is validated when it is recorded (no kernel access; the socket is never used).</summary>
[Trait("Tier", "Unit")]
public sealed class VxlanManagerValidationTests : IDisposable
{
    private static readonly LocalVtep Valid = new(IPAddress.Parse("10.244.0.1"), "66:00:00:00:00:01", IPAddress.Parse("192.0.2.1"));

    // Opening a netlink socket reads and changes nothing; nothing is sent through it in these tests.
    private readonly RouteNetlink _netlink = RouteNetlink.Open();

    public static TheoryData<LocalVtep, string> InvalidLocals => new()
    {
        { Valid with { TunnelAddress = IPAddress.Parse("fd00::1") }, "LocalVtep.TunnelAddress fd00::1 is not IPv4" },
        { Valid with { NodeAddress = IPAddress.Parse("2001:db8::1") }, "LocalVtep.NodeAddress 2001:db8::1 is not IPv4" },
        { Valid with { Mac = "66:00:00:00:00" }, "LocalVtep.Mac '66:00:00:00:00' is not a unicast MAC address" },
        { Valid with { Mac = "01:00:5e:00:00:01" }, "LocalVtep.Mac '01:00:5e:00:00:01' is not a unicast MAC address" },
        { Valid with { Vni = 0 }, "LocalVtep.Vni 0 is outside 1-16777215" },
        { Valid with { Vni = 0x1000000 }, "LocalVtep.Vni 16777216 is outside 1-16777215" },
        { Valid with { Port = 70000 }, "LocalVtep.Port 70000 is outside 1-65535" },
        { Valid with { Mtu = 40 }, "LocalVtep.Mtu 40 is too small for IPv4" },
        { Valid with { ParentInterface = "a-name-longer-than-15" }, "LocalVtep.ParentInterface 'a-name-longer-than-15' is not an interface name" },
    };

    [Theory]
    [MemberData(nameof(InvalidLocals))]
    public void SetLocalVtep_Invalid_ThrowsNamingFieldAndValue(LocalVtep vtep, string expected)
    {
        var manager = new VxlanManager(_netlink);

        ArgumentException error = Assert.Throws<ArgumentException>(() => manager.SetLocalVtep(vtep));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SetRemoteVteps_DuplicateNode_Throws()
    {
        var manager = new VxlanManager(_netlink);
        var vtep = new RemoteVtep("host2", IPAddress.Parse("10.244.1.1"), "66:00:00:00:00:02", IPAddress.Parse("192.0.2.2"));

        ArgumentException error = Assert.Throws<ArgumentException>(() => manager.SetRemoteVteps([vtep, vtep with { TunnelAddress = IPAddress.Parse("10.244.1.2") }]));

        Assert.StartsWith("RemoteVtep node 'host2' appears twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SetRemoteVteps_OtherFamily_IgnoredNotRejected()
    {
        var manager = new VxlanManager(_netlink, AddressFamily.InterNetworkV6);

        manager.SetRemoteVteps([new RemoteVtep("host2", IPAddress.Parse("10.244.1.1"), "66:00:00:00:00:02", IPAddress.Parse("192.0.2.2"))]);
        manager.SetRemoteBlocks([new RemoteBlock(IPNetwork.Parse("10.244.1.0/26"), "host2")]);

        Assert.Equal(("vxlan-v6.calico", 70), (manager.DeviceName, manager.Overhead));
    }

    [Fact]
    public void SetRemoteVteps_BadMac_ThrowsNamingNode()
    {
        var manager = new VxlanManager(_netlink);

        ArgumentException error = Assert.Throws<ArgumentException>(() =>
            manager.SetRemoteVteps([new RemoteVtep("host9", IPAddress.Parse("10.244.9.1"), "zz:00:00:00:00:02", IPAddress.Parse("192.0.2.9"))]));

        Assert.StartsWith("RemoteVtep(host9).Mac 'zz:00:00:00:00:02' is not a unicast MAC address", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_OtherFamily_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new VxlanManager(_netlink, AddressFamily.Unix));

    public void Dispose() => _netlink.Dispose();

    [Fact]
    public async Task ApplyAsync_InvalidRemote_ThrowsBeforeAnyKernelAccess()
    {
        var manager = new VxlanManager(_netlink);
        var overlay = new VxlanOverlay(Valid, [new RemoteVtep("host2", IPAddress.Parse("10.244.1.1"), "ff:ff:ff:ff:ff:ff", IPAddress.Parse("192.0.2.2"))], []);

        ArgumentException error = await Assert.ThrowsAsync<ArgumentException>(() => manager.ApplyAsync(overlay, CancellationToken.None));

        Assert.StartsWith("RemoteVtep(host2).Mac 'ff:ff:ff:ff:ff:ff' is not a unicast MAC address", error.Message, StringComparison.Ordinal);
        Assert.Null(manager.LastSync);
    }
}
