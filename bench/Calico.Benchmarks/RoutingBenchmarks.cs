using System.Globalization;
using Calico.Lab.Cluster;
using Calico.TestKit;

namespace Calico.Benchmarks;

/// <summary>
/// <c>routing</c>: BGP propagation and cross-host traffic of a two-host calico-lab, each beside an anchor measured
/// in the same run (hand-configured BIRDs; hand-built routed and VXLAN paths). Prints figures and ratios; asserts
/// nothing. Root; needs bird, birdc, iperf3 and the built calico-node/calico (CALICO_LAB_BIN_DIR, else out/bin).
/// </summary>
internal static class RoutingBenchmarks
{
    private const int AnchorRuns = 5;
    private const int NewWorkloads = 20;
    private const int TrafficRuns = 3;

    public static async Task RunAsync()
    {
        CancellationToken cancellationToken = CancellationToken.None;
        IpTool.RequireRootTier();
        Console.WriteLine("routing (two-host calico-lab vs hand-built anchors, same run)");

        Console.WriteLine(" anchor: two hand-configured BIRD 2 (iBGP, static blackhole /26s, next hop self), birdc configure -> peer kernel");
        var (announce1, withdraw1) = await RoutingBirdAnchor.MeasureAsync(1, AnchorRuns, cancellationToken);
        var (announce1k, withdraw1k) = await RoutingBirdAnchor.MeasureAsync(1000, AnchorRuns, cancellationToken);
        Stats.Row("1 route: announce / withdraw p50 (min-max)", $"{Spread(announce1)} / {Spread(withdraw1)}");
        Stats.Row("1,000 routes: announce / withdraw p50 (min-max)", $"{Spread(announce1k)} / {Spread(withdraw1k)}");

        Console.WriteLine(" lab, encapsulation none (BGP)");
        await using (RoutingLab lab = await RoutingLab.UpAsync(UpOptions.EncapsulationNone, cancellationToken))
        {
            await lab.WaitForMeshAsync(cancellationToken);
            LabPod client = await lab.RunPodAsync("host1", "client", cancellationToken);
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

            LabPod server = (await lab.RunPodAsync("host2", "server", cancellationToken));
            await CompareTrafficAsync(
                new RoutingPath("lab BGP-routed pod -> pod", client.Netns, server.Netns, server.Address),
                () => RoutingHandBuilt.Create(vxlan: false),
                cancellationToken);

            foreach (bool birdToo in new[] { false, true })
            {
                await PrintRestartAsync(lab, server.Address, birdToo, cancellationToken);
            }
        }

        Console.WriteLine(" lab, encapsulation vxlan");
        await using (RoutingLab lab = await RoutingLab.UpAsync(UpOptions.EncapsulationVxlan, cancellationToken))
        {
            LabPod client = await lab.RunPodAsync("host1", "client", cancellationToken);
            LabPod server = await lab.RunPodAsync("host2", "server", cancellationToken);
            string mtu = (await RoutingShell.IpAsync(server.Netns, cancellationToken, "-o", "link", "show", "eth0")).Split(" mtu ")[1].Split(' ')[0];
            Stats.Row("lab pod eth0 MTU (hand-built VXLAN pods: 1450)", mtu);
            string route = await RoutingShell.IpAsync(lab.Layout.HostNetns("host1"), cancellationToken, "-4", "route", "get", server.Address);
            Stats.Row("host1 route to the server pod", route.Split('\n')[0].Trim());
            await CompareTrafficAsync(
                new RoutingPath("lab VXLAN pod -> pod", client.Netns, server.Netns, server.Address),
                () => RoutingHandBuilt.Create(vxlan: true),
                cancellationToken);
        }
    }

    private static async Task PrintRestartAsync(RoutingLab lab, string host2PodAddress, bool birdToo, CancellationToken cancellationToken)
    {
        RoutingRestart.Result restart = await RoutingRestart.MeasureAsync(lab, host2PodAddress, birdToo, cancellationToken);
        Console.WriteLine(birdToo
            ? " calico-node crash on host2, its BIRD killed too (SIGKILL to all in host2's netns), restart; host1's kernel polled for host2's pod route"
            : " calico-node SIGKILL on host2 (its BIRD stays up), restart; host1's kernel polled for host2's pod route");
        Stats.Row("host1 polls with the route missing / polls", $"{restart.Missing} / {restart.Polls}");
        Stats.Row("kill -> host1 session not Established", $"{restart.SessionDownMs:F0} ms");
        Stats.Row("restart -> host2 BIRD up / calico-node ready", $"{restart.BirdUpMs:F0} / {restart.ReadyMs:F0} ms");
        Stats.Row("restart -> host1 session Established + route (aim: ≤ 5 s after BIRD up)", $"{restart.EstablishedMs:F0} ms ({restart.EstablishedMs - restart.BirdUpMs:F0} ms after BIRD up)");
    }

    private static async Task CompareTrafficAsync(RoutingPath labPath, Func<RoutingHandBuilt> anchor, CancellationToken cancellationToken)
    {
        var (labGbits, labCrr) = await RunsAsync(labPath, cancellationToken);
        List<double> anchorGbits;
        List<double> anchorCrr;
        string anchorLabel;
        using (RoutingHandBuilt built = anchor())
        {
            anchorLabel = built.Path.Label;
            (anchorGbits, anchorCrr) = await RunsAsync(built.Path, cancellationToken);
        }

        Stats.Row($"{labPath.Label}: Gbit/s, conn/s (min/median/max)", $"{Spread(labGbits)} | {Spread(labCrr)}");
        Stats.Row($"{anchorLabel}: Gbit/s, conn/s (min/median/max)", $"{Spread(anchorGbits)} | {Spread(anchorCrr)}");
        Stats.Row("  ratio throughput / connection rate (aim ≥ 0.95)", $"{Ratio(Stats.Percentile(labGbits, 50), Stats.Percentile(anchorGbits, 50))} / {Ratio(Stats.Percentile(labCrr, 50), Stats.Percentile(anchorCrr, 50))}");
    }

    private static async Task<(List<double> Gbits, List<double> Crr)> RunsAsync(RoutingPath path, CancellationToken cancellationToken)
    {
        var gbits = new List<double>();
        var crr = new List<double>();
        for (int run = 0; run < TrafficRuns; run++)
        {
            var (g, c) = await RoutingTraffic.MeasureAsync(path, cancellationToken);
            gbits.Add(g);
            crr.Add(c.ConnectionsPerSecond);
        }

        return (gbits, crr);
    }

    private static double P(List<RoutingNewWorkload.Sample> samples, Func<RoutingNewWorkload.Sample, double> field, double p) =>
        Stats.Percentile(samples.Select(field).ToList(), p);

    private static string Spread(List<double> values) =>
        string.Create(CultureInfo.InvariantCulture, $"{Stats.Percentile(values, 50):F2} ({values.Min():F2}-{values.Max():F2})");

    private static string Ratio(double value, double anchor) => string.Create(CultureInfo.InvariantCulture, $"{value / anchor:F2}×");
}
