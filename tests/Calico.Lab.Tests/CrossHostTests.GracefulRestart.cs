using System.Net;
using System.Net.Sockets;
using Calico.Lab.Cluster;
using Calico.Linux.Netlink;
using Calico.TestKit;

namespace Calico.Lab.Tests;

public sealed partial class CrossHostTests
{
    private const string Host2Address = "172.30.0.12";
    private const string Host1MeshToHost2 = "Mesh_172_30_0_12";
    private const byte RtprotBird = 12;

    /// <summary>
    /// calico-node and its BIRD die together on host2 (SIGKILL, no BGP notification). host1's kernel is read over
    /// rtnetlink every ~5 ms from before the kill until host1's session with host2 is Established again and host2's
    /// restarted BIRD has re-announced its routes (host1's graceful restart for host2 done: End-of-RIB received), all
    /// well within the 120 s restart time: the route to host2's pod is there at every poll. The restarted BIRD must
    /// come up in graceful-restart recovery (<c>bird -R</c>: Restart State and forwarding-preserved bits); without it
    /// host1 flushes the stale route the moment the session is Established, a few ms before the UPDATE arrives.
    /// </summary>
    [Fact]
    public async Task Crash_CalicoNodeAndBirdOnHost2_Host1KeepsThePodRouteAtEveryPoll_UntilTheRestartedBirdReannounced()
    {
        var b = IPAddress.Parse(fixture.Pod("b").Address);
        Assert.True(
            await LabRunner.EventuallyAsync(async () => await fixture.BgpStateAsync("host1", Host2Address) == "Established" && fixture.HasBirdRouteTo("host1", b.ToString()), CrossHostFixture.Converge),
            "host1 never peered with host2 or never learnt its route");
        // An earlier test of the class may have restarted host2: its graceful restart is over first.
        Assert.True(
            await LabRunner.EventuallyAsync(async () => !(await Host1MeshProtocolAsync()).Contains("Neighbor graceful restart active", StringComparison.Ordinal), CrossHostFixture.Converge),
            "host1's graceful restart for host2 from before this test never ended");

        using RouteNetlink host1 = await RouteNetlink.OpenInAsync(LabLayout.NetnsPath(fixture.Lab.Netns("host1")), CancellationToken.None);
        using var stop = new CancellationTokenSource();
        Task<(int Polls, int Missing)> watch = Task.Factory.StartNew(
            () => PollRoute(host1, b, stop.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        string protocol;
        try
        {
            await LabNodes.KillAsync(fixture.Layout, "host2", CancellationToken.None);
            try
            {
                Assert.True(
                    await LabRunner.EventuallyAsync(async () => await fixture.BgpStateAsync("host1", Host2Address) != "Established", CrossHostFixture.Converge),
                    "host1 never noticed host2's BIRD is gone");
            }
            finally
            {
                await LabNodes.StartAgainAsync(fixture.Layout, "host2", CancellationToken.None);
            }

            // Established, then host2's routes and End-of-RIB: the graceful restart ends on host1.
            Assert.True(
                await LabRunner.EventuallyAsync(
                    async () => await fixture.BgpStateAsync("host1", Host2Address) == "Established"
                        && !(await Host1MeshProtocolAsync()).Contains("Neighbor graceful restart active", StringComparison.Ordinal),
                    CrossHostFixture.Converge),
                "host1's session with host2 never came back Established with its graceful restart done");
            protocol = await Host1MeshProtocolAsync();
        }
        finally
        {
            await stop.CancelAsync();
        }

        (int polls, int missing) = await watch;
        Assert.True(polls >= 20, $"only {polls} polls of host1's kernel during the restart");
        Assert.True(missing == 0, $"host1's kernel lacked the route to host2's pod {b} at {missing} of {polls} polls during host2's restart");
        Assert.True(fixture.HasBirdRouteTo("host1", b.ToString()), "host1 has no route to host2's pod after the restart");

        // What made it so: the restarted BIRD told host1 it is recovering and kept its forwarding state.
        string neighbor = protocol[protocol.IndexOf("Neighbor capabilities", StringComparison.Ordinal)..];
        Assert.Contains("Restart recovery", neighbor, StringComparison.Ordinal);
        Assert.Contains("AF preserved: ipv4", neighbor, StringComparison.Ordinal);
    }

    private async Task<string> Host1MeshProtocolAsync()
    {
        var birdc = Prerequisites.Require("birdc");
        var result = await Command.RunAsync(birdc, ["-s", LabLayout.BirdSocket(fixture.Host("host1")), "show", "protocols", "all", Host1MeshToHost2], cancellationToken: CancellationToken.None);
        Assert.True(result.ExitCode == 0, $"birdc show protocols all {Host1MeshToHost2} on host1 exited {result.ExitCode}: {result.Output}{result.Error}");
        return result.Output;
    }

    private static (int Polls, int Missing) PollRoute(RouteNetlink netlink, IPAddress pod, CancellationToken cancellationToken)
    {
        int polls = 0;
        int missing = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            polls++;
            if (!netlink.ListRoutes(AddressFamily.InterNetwork).Any(r => r.Protocol == RtprotBird && r.Destination.PrefixLength > 0 && r.Destination.Contains(pod)))
            {
                missing++;
            }

            Thread.Sleep(5);
        }

        return (polls, missing);
    }
}
