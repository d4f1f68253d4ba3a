using System.Globalization;
using Calico.Lab.Cluster;

namespace Calico.Benchmarks;

/// <summary>
/// The <c>new-block</c> part of <c>routing</c>: BIRD alone (two hand-configured BIRDs, <see cref="RoutingBirdAnchor"/>)
/// beside new blocks of host2 reaching host1's kernel through calico-node and BIRD, split per step: the first pod's
/// block (CNI), then <see cref="BlockRounds"/> blocks claimed and released through IPAM
/// (<see cref="RoutingNewBlockRounds"/>); then the next pods that land in the already-routed block.
/// </summary>
internal static class RoutingNewBlockPart
{
    private const int AnchorRuns = 7;
    private const int NewWorkloads = 20;
    private const int BlockRounds = 9;

    public static async Task RunAsync(RoutingLab lab, LabPod client, CancellationToken cancellationToken)
    {
        Console.WriteLine(" anchor: two hand-configured BIRD 2 (iBGP, static blackhole /26s, next hop self), birdc configure -> peer kernel (1 ms rtnetlink polls)");
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
        Stats.Row("  new block: datastore -> host1's kernel (5 ms polls)", $"{propagation:F1} ms");
        string log = Path.Combine(lab.Host("host2").Directory, "calico-node.log");
        if (await RoutingNewBlockSteps.FindAsync(log, first.Started, cancellationToken) is { } firstSteps)
        {
            long started = RoutingNewBlockSteps.Nanoseconds(first.Started);
            var split = RoutingNewBlockSample.Of(
                started + (long)(first.BlockConfirmedMs * 1e6), firstSteps, started + (long)(first.OwnBlockMs * 1e6), started + (long)(first.RouteMs * 1e6));
            Stats.Row("  split: watch / wait / render / write / check / configure / host2 kernel / host1 kernel",
                string.Create(CultureInfo.InvariantCulture, $"{split.Watch:F1} / {firstSteps.Wait:F1} / {firstSteps.Render:F1} / {firstSteps.Write:F1} / {firstSteps.Check:F1} / {firstSteps.Configure:F1} / {split.OwnKernel:F1} / {split.PeerKernel:F1} ms"));
        }

        List<RoutingNewWorkload.Sample> rest = samples.Skip(1).ToList();
        Stats.Row($"next {rest.Count} pods (block routed): CNI p50 / p99", $"{P(rest, s => s.CniMs, 50):F0} / {P(rest, s => s.CniMs, 99):F0} ms");
        Stats.Row($"next {rest.Count} pods: TCP from host1 reachable p50 / p99", $"{P(rest, s => s.ReachableMs, 50):F0} / {P(rest, s => s.ReachableMs, 99):F0} ms");
        Stats.Row($"all {samples.Count} pods: TCP from host1 reachable p50 / p99", $"{P(samples, s => s.ReachableMs, 50):F0} / {P(samples, s => s.ReachableMs, 99):F0} ms");

        var (blocks, withdraw) = await RoutingNewBlockRounds.MeasureAsync(lab, BlockRounds, cancellationToken);
        Console.WriteLine($" {blocks.Count} new blocks claimed through IPAM for host2 (pool {RoutingNewBlockRounds.PoolCidr}), each released after; p50 (min-max) ms:");
        var traced = blocks.Where(b => b.Steps is not null).ToList();
        Stats.Row("  watch: confirmed -> host2's calico-node received", Spread(traced.Select(b => b.Watch).ToList()));
        Stats.Row("  wait: received -> apply started", Spread(traced.Select(b => b.Steps!.Wait).ToList()));
        var caused = traced.Where(b => !double.IsNaN(b.Steps!.Queued)).ToList();
        if (caused.Count > 0)
        {
            // calico-node since issue 17 part 4: "received" is the update that caused the apply, not the first one.
            Stats.Row("  ... of which queued behind a running apply", Spread(caused.Select(b => b.Steps!.Queued).ToList()));
            Stats.Row("  first update of the apply (pending affinity) before its cause", Spread(caused.Select(b => b.Steps!.FirstUpdateBefore).ToList()));
            Stats.Row("  applies with BIRD's configuration unchanged before each reload", Spread(caused.Select(b => (double)b.Steps!.UnchangedApplies).ToList()));
            Stats.Row("  causes", string.Join(", ", caused.Select(b => CauseName(b.Steps!.Cause)).Distinct()));
        }

        Stats.Row("  render", Spread(traced.Select(b => b.Steps!.Render).ToList()));
        Stats.Row("  write bird.cfg", Spread(traced.Select(b => b.Steps!.Write).ToList()));
        Stats.Row("  check (BIRD parses the candidate)", Spread(traced.Select(b => b.Steps!.Check).ToList()));
        Stats.Row("  BIRD configure", Spread(traced.Select(b => b.Steps!.Configure).ToList()));
        Stats.Row("  configured -> host2's kernel blackhole", Spread(traced.Select(b => b.OwnKernel).ToList()));
        Stats.Row("  configured -> host1's kernel (BGP update + kernel)", Spread(traced.Select(b => b.PeerKernel).ToList()));
        List<double> totals = blocks.Select(b => b.Total).ToList();
        Stats.Row("  new block: confirmed -> host1's kernel", Spread(totals));
        Stats.Row("  released -> gone from host1's kernel", Spread(withdraw));
        double anchor = Stats.Percentile(announce1, 50);
        double ratio = Stats.Percentile(totals, 50) / anchor;
        Stats.Row("  ratio new block p50 ÷ BIRD anchor 1 route p50 (aim ≤ 1.5)", string.Create(CultureInfo.InvariantCulture, $"{ratio:F2}×"));
        AimReport.RecordAtMost("new block -> other host's kernel ÷ BIRD alone (p50)", ratio, "×", 1.5);
    }

    /// <summary>The kind of key that caused an apply (an affinity key without its node and CIDR).</summary>
    private static string CauseName(string? cause) =>
        cause is null ? "?" : cause.Contains("/ipam/v2/host/", StringComparison.Ordinal) ? "block affinity" : cause;

    private static double P(List<RoutingNewWorkload.Sample> samples, Func<RoutingNewWorkload.Sample, double> field, double p) =>
        Stats.Percentile(samples.Select(field).ToList(), p);

    private static string Spread(List<double> values) =>
        values.Count == 0
            ? "n/a"
            : string.Create(CultureInfo.InvariantCulture, $"{Stats.Percentile(values, 50):F2} ({values.Min():F2}-{values.Max():F2}, n={values.Count})");
}
