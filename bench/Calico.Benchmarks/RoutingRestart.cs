using System.Diagnostics;
using Calico.Lab.Cluster;

namespace Calico.Benchmarks;

/// <summary>
/// calico-node crash and restart on host2 (<see cref="LabNodes.KillAsync"/>: SIGKILL to calico-node and everything
/// in host2's namespace, its BIRD included, so no BGP notification is sent), then <see cref="LabNodes.StartAgainAsync"/>.
/// Throughout, host1's kernel is polled for the BGP route to host2's pod: graceful restart must keep it. Timed from
/// the restart: host2's BIRD answering <c>birdc show status</c>, calico-node ready, host1's session Established again
/// with host2's routes re-announced (host1's graceful restart for host2 done).
/// </summary>
internal static class RoutingRestart
{
    public sealed record Result(int Polls, int Missing, double SessionDownMs, double BirdUpMs, double ReadyMs, double EstablishedMs);

    /// <param name="birdToo">
    /// True: <see cref="LabNodes.KillAsync"/> (everything in host2's namespace, as the lab's crash test). False: only
    /// calico-node's process group, so host2's BIRD (daemonised out of it) keeps running and the next calico-node adopts it.
    /// </param>
    public static async Task<Result> MeasureAsync(RoutingLab lab, string host2PodAddress, bool birdToo, CancellationToken cancellationToken)
    {
        string host1Netns = lab.Layout.HostNetns("host1");
        string host1Socket = LabLayout.BirdSocket(lab.Host("host1"));
        string host2Socket = LabLayout.BirdSocket(lab.Host("host2"));
        string host2Address = lab.Host("host2").Address;
        var limit = TimeSpan.FromSeconds(60);
        if (double.IsNaN(await RoutingShell.TimeUntilAsync(
            Stopwatch.GetTimestamp(), async () => await RoutingShell.BgpStateAsync(host1Socket, host2Address, cancellationToken) == "Established", limit, cancellationToken)))
        {
            throw new InvalidOperationException("host1's session with host2 is not Established before the restart");
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<(int Polls, int Missing)> watcher = WatchRouteAsync(host1Netns, host2PodAddress, stop.Token);

        long killed = Stopwatch.GetTimestamp();
        double sessionDown = double.NaN;
        if (birdToo)
        {
            await LabNodes.KillAsync(lab.Layout, "host2", cancellationToken);
            sessionDown = await RoutingShell.TimeUntilAsync(
                killed, async () => await RoutingShell.BgpStateAsync(host1Socket, host2Address, cancellationToken) != "Established", limit, cancellationToken);
        }
        else
        {
            LabProcess node = lab.Host("host2").Node ?? throw new InvalidOperationException("host2 runs no calico-node");
            await RoutingShell.RunAsync("kill", cancellationToken, "-KILL", "--", "-" + node.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await RoutingShell.TimeUntilAsync(killed, () => Task.FromResult(!DetachedProcess.IsRunning(node)), limit, cancellationToken);
        }

        long restarted = Stopwatch.GetTimestamp();
        Task ready = LabNodes.StartAgainAsync(lab.Layout, "host2", cancellationToken);
        double birdUp = await RoutingShell.TimeUntilAsync(restarted, () => BirdAnswersAsync(host2Socket, cancellationToken), limit, cancellationToken);
        await ready;
        double readyMs = Stats.Ms(Stopwatch.GetTimestamp() - restarted);
        // Established is not the end: under graceful restart host1 holds host2's route as stale until host2's restarted
        // BIRD has sent its routes and End-of-RIB (host1's "Neighbor graceful restart active" line goes away).
        double established = await RoutingShell.TimeUntilAsync(
            restarted,
            async () => await RoutingShell.BgpStateAsync(host1Socket, host2Address, cancellationToken) == "Established"
                && await RoutingShell.HasBirdRouteToAsync(host1Netns, host2PodAddress, cancellationToken)
                && !await GracefulRestartActiveAsync(host1Socket, host2Address, cancellationToken),
            limit,
            cancellationToken);

        await stop.CancelAsync();
        (int polls, int missing) = await watcher;
        return new Result(polls, missing, sessionDown, birdUp, readyMs, established);
    }

    private static async Task<bool> GracefulRestartActiveAsync(string socket, string neighbor, CancellationToken cancellationToken) =>
        (await Command.RunAsync("birdc", ["-s", socket, "show", "protocols", "all", "Mesh_" + neighbor.Replace('.', '_')], cancellationToken: cancellationToken)).Output
            .Contains("Neighbor graceful restart active", StringComparison.Ordinal);

    private static async Task<bool> BirdAnswersAsync(string socket, CancellationToken cancellationToken) =>
        File.Exists(socket)
        && (await Command.RunAsync("birdc", ["-s", socket, "show", "status"], cancellationToken: cancellationToken)).Output.Contains("Daemon is up", StringComparison.Ordinal);

    private static async Task<(int Polls, int Missing)> WatchRouteAsync(string netns, string address, CancellationToken cancellationToken)
    {
        int polls = 0;
        int missing = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                polls++;
                if (!await RoutingShell.HasBirdRouteToAsync(netns, address, cancellationToken))
                {
                    missing++;
                }

                await Task.Delay(5, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }

        return (polls, missing);
    }
}
