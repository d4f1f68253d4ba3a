using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Calico.Linux.Nft;
using Calico.TestKit;

namespace Calico.Benchmarks;

/// <summary>
/// The host's edge (issue 13, Performance): forwarded pod -> pod and outside -> pod TCP throughput (iperf3) and
/// connection rate (CRR) with an all-interfaces host endpoint and 1,000 host policies, beside the same paths with our
/// table and no host endpoint, and the packet rate of a UDP flow from the outside to the host allowed by doNotTrack
/// policy beside no table at all. Rulesets are loaded with <c>nft -f</c> of the renderer's full transaction into the
/// namespace standing as the host (the rules calico-node would program, without its process). Runs are interleaved
/// (each run loads every ruleset in turn) so machine load drifts over all of them alike; medians and ratios to
/// anchors of the same run are printed, with the load average. Asserts nothing. Needs root, iperf3, conntrack.
/// </summary>
internal static class HostEdgeBenchmarks
{
    /// <summary>5, or <c>HOST_EDGE_RUNS</c> (1 to try the harness quickly).</summary>
    private static readonly int Runs = int.TryParse(Environment.GetEnvironmentVariable("HOST_EDGE_RUNS"), CultureInfo.InvariantCulture, out int runs) && runs > 0 ? runs : 5;
    private const int HostPolicies = 1_000;
    private static readonly TimeSpan CrrDuration = TimeSpan.FromSeconds(3);

    public static async Task RunAsync()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Console.WriteLine("host-edge: needs root (network namespaces, nft)");
            return;
        }

        if (Prerequisites.Find("iperf3") is null)
        {
            Console.WriteLine("host-edge: iperf3 is missing (scripts/install-deps.sh installs it)");
            return;
        }

        using var cancellation = new CancellationTokenSource();

        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            cancellation.Cancel();
        }

        using PosixSignalRegistration onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using PosixSignalRegistration onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        try
        {
            await RunAllAsync(cancellation.Token);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            Console.WriteLine("host-edge: cancelled; namespaces removed");
        }
    }

    private static async Task RunAllAsync(CancellationToken cancellationToken)
    {
        Console.WriteLine(Invariant($"host edge: {Runs} interleaved runs; TCP iperf3 -t 3 and CRR {CrrDuration.TotalSeconds:F0} s per path, UDP iperf3 -u -b 0 -l 64 -t 3"));
        string loadBefore = LoadAverage();
        using HepTopology topology = await HepTopology.CreateAsync(cancellationToken);
        using PacketsCrr crrServer = await PacketsCrr.StartServerAsync(topology.Server.Path, HepTopology.ServerIp, HepRulesets.CrrPort, cancellationToken);

        PacketsRuleset none = new("(a) no table", null, 0, null, TimeSpan.Zero);
        PacketsRuleset[] tcp = [none, HepRulesets.Workloads(topology), HepRulesets.AllInterfaces(topology, HostPolicies)];
        PacketsRuleset[] udp = [none, HepRulesets.EdgeUdp(topology, untracked: true), HepRulesets.EdgeUdp(topology, untracked: false), HepRulesets.UdpFloor(conntrackHooked: false), HepRulesets.UdpFloor(conntrackHooked: true)];
        var samples = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        var conntrack = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (PacketsRuleset r in tcp.Concat(udp).DistinctBy(r => r.Label))
        {
            Console.WriteLine(Invariant($"  {r.Label}: calc+render {r.BuildTime.TotalMilliseconds:F0} ms, {(r.NftText?.Length ?? 0) / 1024} KiB of nft text"));
        }

        for (var run = 0; run < Runs; run++)
        {
            foreach (PacketsRuleset ruleset in tcp)
            {
                await LoadAsync(topology, ruleset, cancellationToken);
                await CheckReachableAsync(topology, ruleset, cancellationToken);
                Add(samples, ruleset, "pod Gbit/s", await HepIperf.TcpGbitsAsync(topology.Server.Name, HepTopology.ServerIp, topology.Client.Name, cancellationToken));
                Add(samples, ruleset, "pod conn/s", (await PacketsCrr.RunClientAsync(topology.Client.Path, HepTopology.ServerIp, HepRulesets.CrrPort, CrrDuration, cancellationToken)).ConnectionsPerSecond);
                Add(samples, ruleset, "out Gbit/s", await HepIperf.TcpGbitsAsync(topology.Server.Name, HepTopology.ServerIp, topology.Outside.Name, cancellationToken));
                Add(samples, ruleset, "out conn/s", (await PacketsCrr.RunClientAsync(topology.Outside.Path, HepTopology.ServerIp, HepRulesets.CrrPort, CrrDuration, cancellationToken)).ConnectionsPerSecond);
            }

            foreach (PacketsRuleset ruleset in udp)
            {
                await LoadAsync(topology, ruleset, cancellationToken);
                topology.Host.Exec("conntrack", "-F");
                Add(samples, ruleset, "udp kpps", await HepIperf.UdpKppsAsync(topology.Host.Name, HepTopology.HostIp, topology.Outside.Name, cancellationToken));
                (int exit, string listed, _) = topology.Host.Exec("conntrack", "-L", "-p", "udp", "--dport", HepIperf.Port.ToString(CultureInfo.InvariantCulture));
                conntrack[ruleset.Label] = exit == 0 ? listed.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length : -1;
            }

            Console.WriteLine(Invariant($"  run {run + 1}/{Runs} done, load average {LoadAverage()}"));
        }

        Console.WriteLine();
        Console.WriteLine(Invariant($"  load average before {loadBefore}, after {LoadAverage()} ({Environment.ProcessorCount} CPUs)"));
        Console.WriteLine(Invariant($"  {"ruleset",-44} {"figure",-11} {"min / median / max",-26} {"÷ (a)",6} {"÷ (b)",6} {"aim",8}"));
        foreach (PacketsRuleset ruleset in tcp)
        {
            foreach (string figure in (string[])["pod Gbit/s", "pod conn/s", "out Gbit/s", "out conn/s"])
            {
                Print(samples, ruleset, figure, tcp[0], tcp[1], aim: ReferenceEquals(ruleset, tcp[2]) ? ">= 0.95 (b)" : "");
            }
        }

        foreach (PacketsRuleset ruleset in udp)
        {
            Print(samples, ruleset, "udp kpps", udp[0], null, aim: ReferenceEquals(ruleset, udp[1]) ? ">= 0.95 (a)" : "");
        }

        Console.WriteLine();
        Console.WriteLine("  path check: conntrack entries for the UDP flow in the host namespace after the last run (doNotTrack: none expected)");
        foreach (PacketsRuleset ruleset in udp)
        {
            Console.WriteLine(Invariant($"    {ruleset.Label,-44} {(conntrack.TryGetValue(ruleset.Label, out int n) ? n : -1)}"));
        }
    }

    private static async Task LoadAsync(HepTopology topology, PacketsRuleset ruleset, CancellationToken cancellationToken)
    {
        // "table; delete table" removes whatever is there; the ruleset's own transaction replaces the table whole.
        string script = ruleset.NftText ?? "table inet calico\ndelete table inet calico\n";
        _ = await NftRunner.ApplyInAsync(topology.Host.Path, script, cancellationToken); // throws NftException on failure
    }

    private static async Task CheckReachableAsync(HepTopology topology, PacketsRuleset ruleset, CancellationToken cancellationToken)
    {
        foreach ((string from, string path) in new[] { ("pod", topology.Client.Path), ("outside", topology.Outside.Path) })
        {
            if (!await PacketsCrr.ProbeAsync(path, HepTopology.ServerIp, HepRulesets.CrrPort, TimeSpan.FromSeconds(3), cancellationToken))
            {
                throw new InvalidOperationException($"{ruleset.Label}: the {from} cannot connect to the server pod: the ruleset drops the flow");
            }
        }
    }

    private static void Add(Dictionary<string, List<double>> samples, PacketsRuleset ruleset, string figure, double value)
    {
        string key = ruleset.Label + "|" + figure;
        if (!samples.TryGetValue(key, out List<double>? list))
        {
            samples[key] = list = [];
        }

        list.Add(value);
    }

    private static void Print(Dictionary<string, List<double>> samples, PacketsRuleset ruleset, string figure, PacketsRuleset anchor, PacketsRuleset? baseline, string aim)
    {
        List<double> values = [.. samples[ruleset.Label + "|" + figure].Order()];
        double median = Median(values);
        string toAnchor = ReferenceEquals(ruleset, anchor) ? "1" : Ratio(median / Median(samples[anchor.Label + "|" + figure]));
        string toBaseline = baseline is null || ReferenceEquals(ruleset, anchor) ? "" : ReferenceEquals(ruleset, baseline) ? "1" : Ratio(median / Median(samples[baseline.Label + "|" + figure]));
        string format = figure.Contains("Gbit", StringComparison.Ordinal) ? "F2" : "F0";
        string spread = $"{values[0].ToString(format, CultureInfo.InvariantCulture)} / {median.ToString(format, CultureInfo.InvariantCulture)} / {values[^1].ToString(format, CultureInfo.InvariantCulture)}";
        Console.WriteLine(Invariant($"  {ruleset.Label,-44} {figure,-11} {spread,-26} {toAnchor,6} {toBaseline,6} {aim,8}"));
    }

    private static double Median(IEnumerable<double> values)
    {
        List<double> sorted = [.. values.Order()];
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Ratio(double value) => value.ToString("F2", CultureInfo.InvariantCulture);

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
