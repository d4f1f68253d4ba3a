using System.Diagnostics;
using Calico.Lab.Cluster;

namespace Calico.Benchmarks;

/// <summary>
/// New workload on host2 -> reachable from a pod on host1, per pod: the CNI ADD returned (our plugin exec'd as a
/// runtime would, endpoint labelled), host2's block as a <c>blackhole ... proto bird</c> route in host2's own
/// kernel (its BIRD has the static route: calico-node rendered and reconfigured it), a <c>proto bird</c> route covering its address in host1's kernel, and a TCP
/// connect from host1's pod to a listener started in the new pod (probes of 100 ms, back to back).
/// </summary>
internal static class RoutingNewWorkload
{
    private const int ProbePort = 7002;

    /// <param name="BlockConfirmedMs">When the datastore held host2's new block affinity as confirmed (NaN when the pod used an existing block).</param>
    /// <param name="Started">The <see cref="Stopwatch.GetTimestamp"/> every other field counts from.</param>
    public sealed record Sample(double CniMs, double OwnBlockMs, double RouteMs, double ReachableMs, double BlockConfirmedMs, long Started);

    public static async Task<Sample> MeasureAsync(RoutingLab lab, LabPod client, string podName, CancellationToken cancellationToken)
    {
        string host1 = lab.Layout.HostNetns("host1");
        string host2 = lab.Layout.HostNetns("host2");
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<long> confirmed = await lab.WatchBlockConfirmedAsync("host2", stopWatching.Token);
        long started = Stopwatch.GetTimestamp();
        LabPod pod = await lab.RunPodAsync("host2", podName, cancellationToken);
        double cni = Stats.Ms(Stopwatch.GetTimestamp() - started);
        using PacketsCrr listener = await PacketsCrr.StartServerAsync(LabLayout.NetnsPath(pod.Netns), pod.Address, ProbePort, cancellationToken);
        var limit = TimeSpan.FromSeconds(60);
        // host2's BIRD writes its own block as a blackhole into host2's kernel once calico-node has configured it.
        Task<double> ownBlock = RoutingShell.TimeUntilAsync(started, () => RoutingShell.HasBirdBlackholeForAsync(host2, pod.Address, cancellationToken), limit, cancellationToken);
        Task<double> route = RoutingShell.TimeUntilAsync(started, () => RoutingShell.HasBirdRouteToAsync(host1, pod.Address, cancellationToken), limit, cancellationToken);
        Task<double> reachable = RoutingShell.TimeUntilAsync(
            started,
            () => PacketsCrr.ProbeAsync(LabLayout.NetnsPath(client.Netns), pod.Address, ProbePort, TimeSpan.FromMilliseconds(100), cancellationToken),
            limit,
            cancellationToken);
        double routeMs = await route;
        double ownBlockMs = await ownBlock;
        double reachableMs = await reachable;
        double confirmedMs = confirmed.IsCompletedSuccessfully ? Stats.Ms(confirmed.Result - started) : double.NaN;
        await stopWatching.CancelAsync();
        try
        {
            await confirmed;
        }
        catch (OperationCanceledException)
        {
            // No new block for this pod: the watch was only waiting.
        }

        return new Sample(cni, ownBlockMs, routeMs, reachableMs, confirmedMs, started);
    }
}
