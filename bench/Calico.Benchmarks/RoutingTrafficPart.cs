namespace Calico.Benchmarks;

/// <summary>
/// The <c>traffic</c> part of <c>routing</c>: a lab path and two hand-built anchors, the no-table path (the issue's
/// anchor) and the conntrack floor (the same path with only <c>ct state established,related accept</c> on each host:
/// what any stateful Calico host pays per flow), all alive at once and measured interleaved (anchor, floor, lab, ...;
/// one warm-up round), iperf3 and CRR per round; the connection p50 latency is printed too (less noisy than the rate
/// on a shared machine). <c>ROUTING_TRAFFIC_ROUNDS</c> changes the 5 counted rounds.
/// </summary>
internal static class RoutingTrafficPart
{
    private const string Gbits = "Gbit/s";
    private const string ConnectionsPerSecond = "conn/s";
    private const string ConnectionP50 = "connection p50 µs";

    /// <param name="anchor">Builds a hand-built path: <c>false</c> the no-table anchor, <c>true</c> the conntrack floor.</param>
    public static async Task CompareAsync(RoutingPath labPath, Func<bool, RoutingHandBuilt> anchor, CancellationToken cancellationToken)
    {
        using RoutingHandBuilt built = anchor(false);
        using RoutingHandBuilt floor = anchor(true);
        string anchorLabel = built.Path.Label;
        string floorLabel = floor.Path.Label;
        var paths = new Dictionary<string, RoutingPath>(StringComparer.Ordinal) { [anchorLabel] = built.Path, [floorLabel] = floor.Path, [labPath.Label] = labPath };
        int rounds = InterleavedRuns.RoundsFromEnvironment("ROUTING_TRAFFIC_ROUNDS");
        InterleavedRuns runs = await InterleavedRuns.MeasureAsync(
            [anchorLabel, floorLabel, labPath.Label],
            rounds,
            async (subject, token) =>
            {
                var (gbits, crr) = await RoutingTraffic.MeasureAsync(paths[subject], token);
                return new Dictionary<string, double>(StringComparer.Ordinal)
                {
                    [Gbits] = gbits,
                    [ConnectionsPerSecond] = crr.ConnectionsPerSecond,
                    [ConnectionP50] = crr.P50Microseconds,
                };
            },
            cancellationToken);
        runs.Print(Gbits, anchorLabel, "≥ 0.95");
        runs.Print(ConnectionsPerSecond, anchorLabel, "≥ 0.90");
        Stats.Row($"{labPath.Label}: conn/s ÷ conntrack floor", runs.Ratio(labPath.Label, floorLabel, ConnectionsPerSecond).Format("×"));
        runs.Print(ConnectionP50, anchorLabel);
        AimReport.RecordRatioAtLeast($"{labPath.Label}: conn/s ÷ hand-built", runs.Ratio(labPath.Label, anchorLabel, ConnectionsPerSecond), 0.90);
        AimReport.RecordRatioAtLeast($"{labPath.Label}: conn/s ÷ hand-built + conntrack (floor)", runs.Ratio(labPath.Label, floorLabel, ConnectionsPerSecond), 0.90);
    }
}
