using System.Globalization;
using Calico.Lab.Cluster;

namespace Calico.Benchmarks;

/// <summary>
/// The <c>new-block</c> part of <c>routing</c>: BIRD alone (two hand-configured BIRDs, <see cref="RoutingBirdAnchor"/>)
/// beside a new block on host2 reaching host1's kernel through calico-node and BIRD, then the next pods that land in
/// the already-routed block.
/// </summary>
internal static class RoutingNewBlockPart
{
    private const int AnchorRuns = 5;
    private const int NewWorkloads = 20;

    public static async Task RunAsync(RoutingLab lab, LabPod client, CancellationToken cancellationToken)
    {
        Console.WriteLine(" anchor: two hand-configured BIRD 2 (iBGP, static blackhole /26s, next hop self), birdc configure -> peer kernel");
        var (announce1, withdraw1) = await RoutingBirdAnchor.MeasureAsync(1, AnchorRuns, cancellationToken);
        var (announce1k, withdraw1k) = await RoutingBirdAnchor.MeasureAsync(1000, AnchorRuns, cancellationToken);
        Stats.Row("1 route: announce / withdraw p50 (min-max)", $"{Spread(announce1)} / {Spread(withdraw1)}");
        Stats.Row("1,000 routes: announce / withdraw p50 (min-max)", $"{Spread(announce1k)} / {Spread(withdraw1k)}");

        var samples = new List<RoutingNewWorkload.Sample>();
        for (int i = 1; i <= NewWorkloads; i++)
        {
            samples.Add(await RoutingNewWorkload.MeasureAsync(lab, client, "s" + i.ToString(CultureInfo.InvariantCulture), cancellationToken));
        }

        RoutingNewWorkload.Sample first = samples[0];
        Stats.Row("first pod on host2 (new /26 block): CNI / block in host2's BIRD", $"{first.CniMs:F0} / {first.OwnBlockMs:F0} ms");
        Stats.Row("  ... route in host1 / TCP from host1", $"{first.RouteMs:F0} / {first.ReachableMs:F0} ms");
        Stats.Row("  block confirmed in the datastore (during CNI ADD)", $"{first.BlockConfirmedMs:F1} ms");
        double propagation = first.RouteMs - first.BlockConfirmedMs;
        Stats.Row("  new block: datastore -> host1's kernel", $"{propagation:F1} ms");
        Stats.Row("  ratio new block ÷ BIRD anchor 1 route p50 (aim ≤ 1.5)", Ratio(propagation, Stats.Percentile(announce1, 50)));
        List<RoutingNewWorkload.Sample> rest = samples.Skip(1).ToList();
        Stats.Row($"next {rest.Count} pods (block routed): CNI p50 / p99", $"{P(rest, s => s.CniMs, 50):F0} / {P(rest, s => s.CniMs, 99):F0} ms");
        Stats.Row($"next {rest.Count} pods: TCP from host1 reachable p50 / p99", $"{P(rest, s => s.ReachableMs, 50):F0} / {P(rest, s => s.ReachableMs, 99):F0} ms");
        Stats.Row($"all {samples.Count} pods: TCP from host1 reachable p50 / p99", $"{P(samples, s => s.ReachableMs, 50):F0} / {P(samples, s => s.ReachableMs, 99):F0} ms");
    }

    private static double P(List<RoutingNewWorkload.Sample> samples, Func<RoutingNewWorkload.Sample, double> field, double p) =>
        Stats.Percentile(samples.Select(field).ToList(), p);

    private static string Spread(List<double> values) =>
        string.Create(CultureInfo.InvariantCulture, $"{Stats.Percentile(values, 50):F2} ({values.Min():F2}-{values.Max():F2})");

    private static string Ratio(double value, double anchor) => string.Create(CultureInfo.InvariantCulture, $"{value / anchor:F2}×");
}
