namespace Calico.Lab.Tests;

/// <summary>
/// Root tier, calico-node on three hosts with VXLAN: <c>Always</c> tunnels every cross-host route; <c>CrossSubnet</c>
/// routes host1 &lt;-&gt; host2 (same subnet) natively and tunnels to and from host3 (across the fabric router).
/// Each test sets the pool's mode it needs.
/// </summary>
[Collection(CrossHostCollection.Name)]
[Trait("Tier", "Cluster")]
public sealed class CrossHostVxlanTests(VxlanLabFixture fixture) : IClassFixture<VxlanLabFixture>
{
    private const string Tunnel = "vxlan.calico";

    private static readonly (string From, string To)[] s_everyPair = [("a", "b"), ("b", "a"), ("a", "c"), ("c", "a"), ("b", "c"), ("c", "b")];

    [Fact]
    public async Task Always_EveryCrossHostRouteUsesTheTunnel_AndEveryPodReachesEveryOther()
    {
        await fixture.SetVxlanModeAsync("Always");
        Assert.True(await RouteEventuallyAsync("host1", "b", Tunnel), "host1 -> host2's block is not through " + Tunnel + ": " + fixture.RouteGet("host1", fixture.Pod("b").Address));
        Assert.True(await RouteEventuallyAsync("host1", "c", Tunnel), "host1 -> host3's block is not through " + Tunnel + ": " + fixture.RouteGet("host1", fixture.Pod("c").Address));
        Assert.True(await RouteEventuallyAsync("host3", "a", Tunnel), "host3 -> host1's block is not through " + Tunnel + ": " + fixture.RouteGet("host3", fixture.Pod("a").Address));
        foreach (var (from, to) in s_everyPair)
        {
            Assert.True(await fixture.EventuallyReachesAsync(from, to), $"x/{from} does not reach x/{to} over VXLAN");
        }
    }

    [Fact]
    public async Task CrossSubnet_SameSubnetRoutedNatively_OtherSubnetTunnelled_AndEveryPodReachesEveryOther()
    {
        await fixture.SetVxlanModeAsync("CrossSubnet");
        try
        {
            Assert.True(await RouteEventuallyAsync("host1", "b", "eth0"), "host1 -> host2 (same subnet) is not native: " + fixture.RouteGet("host1", fixture.Pod("b").Address));
            Assert.Equal("172.30.0.12", fixture.RouteGet("host1", fixture.Pod("b").Address).Gateway);
            Assert.True(await RouteEventuallyAsync("host1", "c", Tunnel), "host1 -> host3 (other subnet) is not tunnelled: " + fixture.RouteGet("host1", fixture.Pod("c").Address));
            Assert.True(await RouteEventuallyAsync("host3", "b", Tunnel), "host3 -> host2 (other subnet) is not tunnelled: " + fixture.RouteGet("host3", fixture.Pod("b").Address));
            foreach (var (from, to) in s_everyPair)
            {
                Assert.True(await fixture.EventuallyReachesAsync(from, to), $"x/{from} does not reach x/{to} with CrossSubnet");
            }
        }
        finally
        {
            await fixture.SetVxlanModeAsync("Always");
        }
    }

    private Task<bool> RouteEventuallyAsync(string host, string pod, string dev) =>
        LabRunner.EventuallyAsync(() => Task.FromResult(fixture.RouteGet(host, fixture.Pod(pod).Address).Dev == dev), CrossHostFixture.Converge);
}
