using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Calico.Linux.Netlink;
using Calico.TestKit;

namespace Calico.Linux.Tests.Netlink;

/// <summary>Root tier: each rtnetlink operation against a real kernel, inside test namespaces only.</summary>
[Trait("Tier", "Root")]
public class RouteNetlinkTests
{
    [Fact]
    public async Task LinkOperations_MtuMacRenameMoveUpDelete_AreVisibleToIp()
    {
        using var first = new NetnsScope();
        using var second = new NetnsScope();
        using RouteNetlink links = await RouteNetlink.OpenInAsync(first.Path, CancellationToken.None);

        links.CreateVeth(new VethSpec("calt-a", "calt-b"));
        LinkInfo a = links.GetLink("calt-a")!;
        Assert.Equal("veth", a.Kind);
        links.SetLinkMtu(a.Index, 1400);
        links.SetLinkMac(a.Index, [0x02, 0, 0, 0, 0, 0x01]);
        links.RenameLink(a.Index, "calt-c");
        links.SetLinkUp(a.Index, up: true);

        JsonElement renamed = Assert.Single(first.IpJson("link", "show", "dev", "calt-c").EnumerateArray());
        Assert.Equal((1400, "02:00:00:00:00:01"), (renamed.GetProperty("mtu").GetInt32(), renamed.GetProperty("address").GetString()));
        Assert.Contains("UP", renamed.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(1400, links.GetLink(a.Index)!.Mtu);

        LinkInfo b = links.GetLink("calt-b")!;
        links.MoveLinkToNamespace(b.Index, second.Path);
        Assert.Null(links.GetLink("calt-b"));
        Assert.Contains("calt-b", TestHost.LinkNames(second));

        links.DeleteLink(a.Index);
        Assert.Null(links.GetLink("calt-c"));
        Assert.Equal(["lo"], TestHost.LinkNames(first));
        Assert.Equal(["lo"], TestHost.LinkNames(second));
        Assert.False(links.TryDeleteLink("calt-c"));
    }

    [Fact]
    public async Task CreateVeth_NameTaken_ThrowsNamingOperationObjectAndErrno()
    {
        using var scope = new NetnsScope();
        using RouteNetlink links = await RouteNetlink.OpenInAsync(scope.Path, CancellationToken.None);
        links.CreateVeth(new VethSpec("cali12345678901", "calt-p"));

        NetlinkException failure = Assert.Throws<NetlinkException>(() => links.CreateVeth(new VethSpec("cali12345678901", "calt-q")));

        Assert.Equal(17, failure.Errno);
        Assert.StartsWith("RTM_NEWLINK veth cali12345678901 (peer calt-q): File exists (EEXIST)", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Routes_ScopeLinkGatewayOnlinkReplace_ReadBackLikeIp()
    {
        using var scope = new NetnsScope();
        using RouteNetlink links = await RouteNetlink.OpenInAsync(scope.Path, CancellationToken.None);
        links.CreateVeth(new VethSpec("calt-r", "calt-s"));
        int index = links.GetLink("calt-r")!.Index;
        links.SetLinkUp(index, up: true);
        links.SetLinkUp(links.GetLink("calt-s")!.Index, up: true);
        links.AddAddress(index, IPAddress.Parse("10.9.0.1"), 24);
        links.AddAddress(index, IPAddress.Parse("fd00:9::1"), 64, noDad: true);

        links.AddRoute(new RouteSpec(IPNetwork.Parse("10.9.1.0/24"), index) { Gateway = IPAddress.Parse("192.0.2.7"), OnLink = true });
        links.AddRoute(new RouteSpec(IPNetwork.Parse("10.9.2.1/32"), index) { Scope = 253 });
        Assert.False(links.TryAddRoute(new RouteSpec(IPNetwork.Parse("10.9.2.1/32"), index) { Scope = 253 }));
        links.AddRoute(new RouteSpec(IPNetwork.Parse("10.9.2.1/32"), index) { Scope = 253, Metric = 0, Protocol = 4 }, replace: true);
        links.AddRoute(new RouteSpec(IPNetwork.Parse("fd00:9:1::/64"), index) { Gateway = IPAddress.Parse("fe80::1") });

        JsonElement onlink = Assert.Single(scope.IpJson("route", "show", "10.9.1.0/24").EnumerateArray());
        Assert.Equal("192.0.2.7", onlink.GetProperty("gateway").GetString());
        Assert.Contains("onlink", onlink.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        JsonElement replaced = Assert.Single(scope.IpJson("route", "show", "10.9.2.1").EnumerateArray());
        Assert.Equal(("link", "static"), (replaced.GetProperty("scope").GetString(), replaced.GetProperty("protocol").GetString()));

        RouteInfo read = Assert.Single(links.ListRoutes(AddressFamily.InterNetwork), r => r.Destination.Equals(IPNetwork.Parse("10.9.1.0/24")));
        Assert.True(read.OnLink);
        Assert.Equal(IPAddress.Parse("192.0.2.7"), read.Gateway);
        RouteInfo v6 = Assert.Single(links.ListRoutes(AddressFamily.InterNetworkV6), r => r.Destination.Equals(IPNetwork.Parse("fd00:9:1::/64")));
        Assert.Equal((IPAddress.Parse("fe80::1"), index, 1024u), (v6.Gateway, v6.OutInterfaceIndex, v6.Metric));
        Assert.Contains(links.ListAddresses(), a => a.Address.Equals(IPAddress.Parse("10.9.0.1")) && a.PrefixLength == 24 && a.InterfaceIndex == index);

        NetlinkException failure = Assert.Throws<NetlinkException>(() =>
            links.AddRoute(new RouteSpec(IPNetwork.Parse("10.9.3.0/24"), index) { Gateway = IPAddress.Parse("198.51.100.1") }));
        Assert.StartsWith("RTM_NEWROUTE 10.9.3.0/24 via 198.51.100.1 dev calt-r: ", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunIn_ThreadIsInTargetNamespace_AndSysctlWritesLandThere()
    {
        using var scope = new NetnsScope();
        string target = scope.Exec("readlink", "/proc/self/ns/net").Output.Trim();

        // In-process reads only: starting a process from inside would fork from a thread in the namespace.
        (string? inside, string? process) = await NetworkNamespace.RunInAsync(scope.Path, () =>
        {
            Sysctl.Write("net/ipv4/conf/lo/forwarding", "1");
            return (new FileInfo("/proc/thread-self/ns/net").LinkTarget, new FileInfo("/proc/self/ns/net").LinkTarget);
        });

        Assert.StartsWith("net:[", target, StringComparison.Ordinal);
        Assert.Equal(target, inside);
        Assert.NotEqual(target, process);
        Assert.Equal("1", scope.Sysctl("net/ipv4/conf/lo/forwarding"));
        Assert.NotEqual(target, new FileInfo("/proc/thread-self/ns/net").LinkTarget);
    }

    [Fact]
    public async Task RunIn_MissingNamespace_ThrowsWithPathAndErrno()
    {
        NetlinkException failure = await Assert.ThrowsAsync<NetlinkException>(() => NetworkNamespace.RunInAsync("/var/run/netns/calt-none", () => 1));
        Assert.Equal("open netns /var/run/netns/calt-none: No such file or directory (ENOENT)", failure.Message);
    }
}
