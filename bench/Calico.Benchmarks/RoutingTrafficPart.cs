namespace Calico.Benchmarks;

/// <summary>
/// The <c>traffic</c> part of <c>routing</c>: a lab path and its hand-built anchor (no nftables table), both alive
/// at once and measured interleaved (anchor, lab, anchor, lab, ...; one warm-up round), iperf3 and CRR per round.
/// <c>ROUTING_TRAFFIC_ROUNDS</c> changes the 5 counted rounds.
/// </summary>
internal static class RoutingTrafficPart
{
    private const string Gbits = "Gbit/s";
    private const string ConnectionsPerSecond = "conn/s";

    public static async Task CompareAsync(RoutingPath labPath, Func<RoutingHandBuilt> anchor, CancellationToken cancellationToken)
    {
        using RoutingHandBuilt built = anchor();
        string anchorLabel = built.Path.Label;
        var paths = new Dictionary<string, RoutingPath>(StringComparer.Ordinal) { [anchorLabel] = built.Path, [labPath.Label] = labPath };
        int rounds = InterleavedRuns.RoundsFromEnvironment("ROUTING_TRAFFIC_ROUNDS");
        InterleavedRuns runs = await InterleavedRuns.MeasureAsync(
            [anchorLabel, labPath.Label],
            rounds,
            async (subject, token) =>
            {
                var (gbits, crr) = await RoutingTraffic.MeasureAsync(paths[subject], token);
                return new Dictionary<string, double>(StringComparer.Ordinal) { [Gbits] = gbits, [ConnectionsPerSecond] = crr.ConnectionsPerSecond };
            },
            cancellationToken);
        runs.Print(Gbits, anchorLabel, "≥ 0.95");
        runs.Print(ConnectionsPerSecond, anchorLabel, "≥ 0.90");
        AimReport.RecordRatioAtLeast($"{labPath.Label}: conn/s ÷ hand-built", runs.Ratio(labPath.Label, anchorLabel, ConnectionsPerSecond), 0.90);
    }
}
