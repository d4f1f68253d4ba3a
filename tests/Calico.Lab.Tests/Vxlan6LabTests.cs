using System.Net;
using System.Text.Json;
using Calico.Lab.Cluster;
using Calico.TestKit;

namespace Calico.Lab.Tests;

/// <summary>
/// IPv6 VXLAN in the shared routing lab (both pools CrossSubnet, as <c>calico-lab up --encapsulation
/// vxlan-crosssubnet</c> makes them): IPv6 pod to pod across the fabric router goes through <c>vxlan-v6.calico</c>
/// (host1 and host3 are on different IPv6 subnets), host1 to host2 (same subnet) natively via the peer's IPv6 address.
/// The fabric router knows no pod routes, so an IPv6 packet between subnets arrives only through the tunnel.
/// </summary>
[Collection(CrossHostCollection.Name)]
[Trait("Tier", "Cluster")]
public sealed class Vxlan6LabTests(RoutingLabFixture fixture)
{
    private const string Tunnel6 = "vxlan-v6.calico";

    [Fact]
    public async Task CrossSubnet_IPv6_OtherSubnet_PodToPodThroughVxlanV6()
    {
        var node = JsonDocument.Parse(await fixture.Lab.CalicoctlAsync(null, "get", "node", "host1", "-o", "json")).RootElement.GetProperty("spec");
        Assert.True(node.TryGetProperty("ipv6VXLANTunnelAddr", out var tunnel), "Node host1 has no ipv6VXLANTunnelAddr: " + node);
        Assert.True(IPNetwork.Parse(LabLayout.Pool6Cidr).Contains(IPAddress.Parse(tunnel.GetString()!)), tunnel.GetString());
        Assert.True(node.TryGetProperty("vxlanTunnelMACAddrV6", out _), "Node host1 has no vxlanTunnelMACAddrV6: " + node);

        Assert.True(await RouteEventuallyAsync("host1", "c", Tunnel6), "host1 -> host3's IPv6 block is not through " + Tunnel6 + ": " + RouteGet6("host1", "c"));
        Assert.True(await RouteEventuallyAsync("host3", "a", Tunnel6), "host3 -> host1's IPv6 block is not through " + Tunnel6 + ": " + RouteGet6("host3", "a"));
        long before = TxPackets("host1");
        Assert.True(await fixture.EventuallyReachesAsync("a", "c", 6), "x/a does not reach x/c over IPv6 VXLAN");
        Assert.True(await fixture.EventuallyReachesAsync("c", "a", 6), "x/c does not reach x/a over IPv6 VXLAN");
        Assert.True(TxPackets("host1") > before, Tunnel6 + " on host1 sent nothing while x/a and x/c talked");
    }

    [Fact]
    public async Task CrossSubnet_IPv6_SameSubnet_RoutedNativelyViaThePeersAddress()
    {
        string host2 = fixture.Host("host2").Address6;

        Assert.True(
            await LabRunner.EventuallyAsync(() => Task.FromResult(RouteGet6("host1", "b") == ("eth0", host2)), CrossHostFixture.Converge),
            $"host1 -> host2's IPv6 block is not native via {host2}: {RouteGet6("host1", "b")}");
        Assert.Equal(("eth0", fixture.Host("host1").Address6), RouteGet6("host2", "a"));
        Assert.True(await fixture.EventuallyReachesAsync("a", "b", 6), "x/a does not reach x/b over IPv6 (same subnet)");
        Assert.True(await fixture.EventuallyReachesAsync("b", "a", 6), "x/b does not reach x/a over IPv6 (same subnet)");
    }

    private (string Dev, string Gateway) RouteGet6(string host, string pod) => fixture.RouteGet(host, fixture.Pod(pod).Address6);

    private Task<bool> RouteEventuallyAsync(string host, string pod, string dev) =>
        LabRunner.EventuallyAsync(() => Task.FromResult(RouteGet6(host, pod).Dev == dev), CrossHostFixture.Converge);

    private long TxPackets(string host) =>
        IpTool.Json("-n", fixture.Lab.Netns(host), "-s", "link", "show", Tunnel6)[0].GetProperty("stats64").GetProperty("tx").GetProperty("packets").GetInt64();
}
