using Calico.Lab.Cluster;

namespace Calico.Lab.Tests;

/// <summary>
/// Root tier, calico-node on three hosts with BGP: full mesh, the top-of-rack router, mesh off and on again through
/// a BGPPeer, IPv6, and a calico-node restart under graceful restart. host1 and host2 share subnet 0; host3 is on
/// subnet 1, behind the fabric router, which knows no pod routes: natively routed traffic reaches host3's pods only
/// through the ToR or a tunnel (see <see cref="CrossHostVxlanTests"/>), so the plain-BGP checks use host1 and host2.
/// Tests that change BGP resources put them back before they end (the lab is shared).
/// </summary>
[Collection(CrossHostCollection.Name)]
[Trait("Tier", "Cluster")]
public sealed partial class CrossHostTests(MeshLabFixture fixture) : IClassFixture<MeshLabFixture>
{
    private const string MeshOff = """
        apiVersion: projectcalico.org/v3
        kind: BGPConfiguration
        metadata:
          name: default
        spec:
          nodeToNodeMeshEnabled: false
        """;

    private const string MeshOn = """
        apiVersion: projectcalico.org/v3
        kind: BGPConfiguration
        metadata:
          name: default
        spec:
          nodeToNodeMeshEnabled: true
        """;

    private const string PeerWithEveryNode = """
        apiVersion: projectcalico.org/v3
        kind: BGPPeer
        metadata:
          name: every-node
        spec:
          peerSelector: all()
        """;

    private const string PeerWithTor = """
        apiVersion: projectcalico.org/v3
        kind: BGPPeer
        metadata:
          name: tor
        spec:
          peerIP: 172.30.0.254
          asNumber: 65000
        """;

    private LabRunner Lab => fixture.Lab;

    [Fact]
    public async Task FullMesh_EachHostLearnsTheOthersBlocks_SessionsEstablished_PodsReachAcrossHosts()
    {
        var pods = new Dictionary<string, string> { ["host1"] = "a", ["host2"] = "b", ["host3"] = "c" };
        foreach (var (host, _) in pods)
        {
            foreach (var (otherHost, otherPod) in pods.Where(p => p.Key != host))
            {
                var address = fixture.Pod(otherPod).Address;
                Assert.True(
                    await LabRunner.EventuallyAsync(() => Task.FromResult(fixture.HasBirdRouteTo(host, address)), CrossHostFixture.Converge),
                    $"{host} has no BGP route to {otherHost}'s block ({address})");
            }
        }

        // Same subnet: the next hop is the other host itself.
        Assert.Equal(("eth0", "172.30.0.12"), fixture.RouteGet("host1", fixture.Pod("b").Address));
        Assert.Equal(("eth0", "172.30.0.11"), fixture.RouteGet("host2", fixture.Pod("a").Address));
        Assert.True(await fixture.EventuallyReachesAsync("a", "b"), "x/a does not reach x/b (host1 -> host2)");
        Assert.True(await fixture.EventuallyReachesAsync("b", "a"), "x/b does not reach x/a (host2 -> host1)");

        var host1 = fixture.Host("host1");
        string status = "";
        var established = await LabRunner.EventuallyAsync(
            async () =>
            {
                var result = await LabRunner.InNetnsAsync(host1.Netns, "env", "CALICO_BIRD_SOCKET=" + LabLayout.BirdSocket(host1), LabRunner.Calicoctl(), "node", "status");
                status = result.Output + result.Error;
                var lines = status.Split('\n');
                return result.ExitCode == 0 && new[] { "172.30.0.12", "172.30.1.13" }.All(peer => lines.Any(l => l.Contains(peer, StringComparison.Ordinal) && l.Contains("Established", StringComparison.Ordinal)));
            },
            CrossHostFixture.Converge);
        Assert.True(established, "calicoctl node status on host1 does not show both mesh sessions Established:\n" + status);
    }

    /// <summary>
    /// The top-of-rack design: the mesh off, every node peering with its ToR. (With the mesh on as well, hosts also
    /// re-advertise each other's blocks with themselves as next hop, as upstream's export filter does; the ToR may
    /// then pick host1's copy of host3's block, which host1 can only hand to the fabric router, which drops it.)
    /// </summary>
    [Fact]
    public async Task Tor_WithBgpPeer_LearnsEveryBlock_AndReachesEveryWorkload()
    {
        await Lab.CalicoctlAsync(MeshOff, "apply", "-f", "-");
        await Lab.CalicoctlAsync(PeerWithTor, "apply", "-f", "-");
        try
        {
            var tor = new ProbeTarget("tor", LabLayout.NetnsPath(Lab.Netns("tor")), System.Net.IPAddress.Parse(FabricAddressing.TorAddress));
            foreach (var pod in new[] { "a", "b", "c" })
            {
                var address = fixture.Pod(pod).Address;
                Assert.True(
                    await LabRunner.EventuallyAsync(() => Task.FromResult(fixture.HasBirdRouteTo("tor", address)), CrossHostFixture.Converge),
                    $"the ToR did not learn the block of x/{pod} ({address})");
                Assert.True(
                    await LabRunner.EventuallyAsync(() => Prober.ReachesAsync(tor, fixture.Target(pod), CrossHostFixture.Http, CancellationToken.None), CrossHostFixture.Converge),
                    $"the ToR does not reach x/{pod}");
            }
        }
        finally
        {
            await Lab.CalicoctlAsync(null, "delete", "bgppeer", "tor", "--skip-not-exists");
            await Lab.CalicoctlAsync(MeshOn, "apply", "-f", "-");
        }

        Assert.True(await fixture.EventuallyReachesAsync("a", "b"), "the mesh back on did not restore x/a -> x/b");
    }

    [Fact]
    public async Task MeshDisabled_StopsCrossHostTraffic_BgpPeerWithPeerSelectorAllRestoresIt()
    {
        Assert.True(await fixture.EventuallyReachesAsync("a", "b"), "x/a does not reach x/b before the change");
        await Lab.CalicoctlAsync(MeshOff, "apply", "-f", "-");
        try
        {
            Assert.True(await fixture.EventuallyBlockedAsync("a", "b"), "with the mesh off, x/a still reaches x/b");
            Assert.False(fixture.HasBirdRouteTo("host1", fixture.Pod("b").Address), "with the mesh off, host1 still has a BGP route to host2's block");

            await Lab.CalicoctlAsync(PeerWithEveryNode, "apply", "-f", "-");
            Assert.True(await fixture.EventuallyReachesAsync("a", "b"), "a BGPPeer with peerSelector all() did not restore x/a -> x/b");
            Assert.True(await fixture.EventuallyReachesAsync("b", "a"), "a BGPPeer with peerSelector all() did not restore x/b -> x/a");
        }
        finally
        {
            // The peer may not exist (a failure before it was applied); the mesh goes back on regardless.
            await Lab.CalicoctlAsync(null, "delete", "bgppeer", "every-node", "--skip-not-exists");
            await Lab.CalicoctlAsync(MeshOn, "apply", "-f", "-");
        }

        Assert.True(await fixture.EventuallyReachesAsync("a", "b"), "the mesh back on did not restore x/a -> x/b");
    }

    [Fact]
    public async Task Ipv6_WorkloadsReachEachOtherAcrossHosts()
    {
        var b6 = fixture.Pod("b").Address6;
        Assert.True(
            await LabRunner.EventuallyAsync(() => Task.FromResult(fixture.HasBirdRouteTo("host1", b6, 6)), CrossHostFixture.Converge),
            $"host1 has no BGP route to host2's IPv6 block ({b6})");
        Assert.True(await fixture.EventuallyReachesAsync("a", "b", 6), "x/a does not reach x/b over IPv6");
        Assert.True(await fixture.EventuallyReachesAsync("b", "a", 6), "x/b does not reach x/a over IPv6");
    }

    [Fact]
    public async Task Restart_CalicoNodeOnHost2_RoutesStayInTheOtherHosts_AndTrafficContinues()
    {
        var b = fixture.Pod("b").Address;
        Assert.True(await fixture.EventuallyReachesAsync("a", "b"), "x/a does not reach x/b before the restart");
        // Both other hosts peer with host2 and hold its route before it dies (an earlier test of the class may have
        // just turned the mesh back on: on a loaded machine host3's session can still be coming up).
        foreach (var other in new[] { "host1", "host3" })
        {
            Assert.True(await LabRunner.EventuallyAsync(async () => await fixture.BgpStateAsync(other, "172.30.0.12") == "Established", CrossHostFixture.Converge), $"{other} never peered with host2");
            Assert.True(await LabRunner.EventuallyAsync(() => Task.FromResult(fixture.HasBirdRouteTo(other, b)), CrossHostFixture.Converge), $"{other} never learnt host2's route");
        }

        await LabNodes.KillAsync(fixture.Layout, "host2", CancellationToken.None);
        try
        {
            // host1's BIRD has noticed the session is gone: from here on only graceful restart keeps the routes.
            Assert.True(
                await LabRunner.EventuallyAsync(async () => await fixture.BgpStateAsync("host1", "172.30.0.12") != "Established", CrossHostFixture.Converge),
                "host1 never noticed host2's BIRD is gone");
            Assert.True(fixture.HasBirdRouteTo("host1", b), "host1 dropped host2's routes when host2's calico-node died");
            Assert.True(fixture.HasBirdRouteTo("host3", b), "host3 dropped host2's routes when host2's calico-node died");
            Assert.True(await fixture.ReachesAsync("a", "b"), "x/a -> x/b stopped while host2's calico-node was down");
        }
        finally
        {
            // Whatever failed above, the next tests of the class get host2 back.
            await LabNodes.StartAgainAsync(fixture.Layout, "host2", CancellationToken.None);
        }

        Assert.True(await LabRunner.EventuallyAsync(async () => await fixture.BgpStateAsync("host1", "172.30.0.12") == "Established", CrossHostFixture.Converge), "host1 never peered with host2 again");
        // Established comes before host2's BIRD has re-sent its routes (graceful restart ends with End-of-RIB).
        Assert.True(await LabRunner.EventuallyAsync(() => Task.FromResult(fixture.HasBirdRouteTo("host1", b)), CrossHostFixture.Converge), "host1 lost host2's route after the restart");
        Assert.True(await fixture.EventuallyReachesAsync("a", "b"), "x/a does not reach x/b after the restart");
    }
}
