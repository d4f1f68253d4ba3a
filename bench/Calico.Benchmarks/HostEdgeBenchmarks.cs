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
/// namespace standing as the host (the rules calico-node would program, without its process), each before its
/// measurement: rounds visit every ruleset in turn (<see cref="InterleavedRuns"/>: a warm-up round not counted, the
/// order rotating each round), so machine load drifts over all of them alike; medians with min–max and ratios to
/// anchors taken pair by pair within a round are printed (the aims also in <see cref="AimReport"/>). Asserts nothing.
/// Needs root, iperf3, conntrack.
/// </summary>
internal static class HostEdgeBenchmarks
{
    /// <summary>Counted rounds: 5, or <c>HOST_EDGE_ROUNDS</c> (<c>HOST_EDGE_RUNS</c>, its old name, still read; 1 to try the harness quickly).</summary>
    private static readonly int Rounds = InterleavedRuns.RoundsFromEnvironment(
        Environment.GetEnvironmentVariable("HOST_EDGE_ROUNDS") is null ? "HOST_EDGE_RUNS" : "HOST_EDGE_ROUNDS");

    private const string UdpKpps = "udp kpps";
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
        Console.WriteLine(Invariant($"host edge: {Rounds} interleaved rounds (+1 warm-up, order rotating); TCP iperf3 -t 3 and CRR {CrrDuration.TotalSeconds:F0} s per path, UDP iperf3 -u -b 0 -l 64 -t 3"));
        using HepTopology topology = await HepTopology.CreateAsync(cancellationToken);
        using PacketsCrr crrServer = await PacketsCrr.StartServerAsync(topology.Server.Path, HepTopology.ServerIp, HepRulesets.CrrPort, cancellationToken);

        PacketsRuleset none = new("(a) no table", null, 0, null, TimeSpan.Zero);
        PacketsRuleset[] tcp = [none, HepRulesets.Workloads(topology), HepRulesets.AllInterfaces(topology, HostPolicies)];
        PacketsRuleset[] udp = [none, HepRulesets.EdgeUdp(topology, untracked: true), HepRulesets.EdgeUdp(topology, untracked: false), HepRulesets.UdpFloor(conntrackHooked: false), HepRulesets.UdpFloor(conntrackHooked: true)];
        Dictionary<string, PacketsRuleset> rulesets = tcp.Concat(udp).DistinctBy(r => r.Label).ToDictionary(r => r.Label, StringComparer.Ordinal);
        var conntrack = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (PacketsRuleset r in rulesets.Values)
        {
            Console.WriteLine(Invariant($"  {r.Label}: calc+render {r.BuildTime.TotalMilliseconds:F0} ms, {(r.NftText?.Length ?? 0) / 1024} KiB of nft text"));
        }

        // One subject per ruleset, each loaded whole before its measurement; the anchor (a) measures the TCP and the
        // UDP figures, (b)/(c) the TCP ones, the others the UDP one.
        InterleavedRuns runs = await InterleavedRuns.MeasureAsync(
            [.. rulesets.Keys],
            Rounds,
            async (label, ct) =>
            {
                PacketsRuleset ruleset = rulesets[label];
                await LoadAsync(topology, ruleset, ct);
                var figures = new Dictionary<string, double>(StringComparer.Ordinal);
                if (tcp.Contains(ruleset))
                {
                    await CheckReachableAsync(topology, ruleset, ct);
                    figures["pod Gbit/s"] = await HepIperf.TcpGbitsAsync(topology.Server.Name, HepTopology.ServerIp, topology.Client.Name, ct);
                    figures["pod conn/s"] = (await PacketsCrr.RunClientAsync(topology.Client.Path, HepTopology.ServerIp, HepRulesets.CrrPort, CrrDuration, ct)).ConnectionsPerSecond;
                    figures["out Gbit/s"] = await HepIperf.TcpGbitsAsync(topology.Server.Name, HepTopology.ServerIp, topology.Outside.Name, ct);
                    figures["out conn/s"] = (await PacketsCrr.RunClientAsync(topology.Outside.Path, HepTopology.ServerIp, HepRulesets.CrrPort, CrrDuration, ct)).ConnectionsPerSecond;
                }

                if (udp.Contains(ruleset))
                {
                    topology.Host.Exec("conntrack", "-F");
                    figures[UdpKpps] = await HepIperf.UdpKppsAsync(topology.Host.Name, HepTopology.HostIp, topology.Outside.Name, ct);
                    (int exit, string listed, _) = topology.Host.Exec("conntrack", "-L", "-p", "udp", "--dport", HepIperf.Port.ToString(CultureInfo.InvariantCulture));
                    conntrack[label] = exit == 0 ? listed.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length : -1;
                }

                return figures;
            },
            cancellationToken,
            rotate: true);

        Console.WriteLine();
        Console.WriteLine(Invariant($"  {"ruleset",-44} {"figure",-11} {"median (min–max, n)",-30} {"÷ (a) pair by pair",-28} {"÷ (b) pair by pair",-28} aim"));
        foreach (PacketsRuleset ruleset in tcp)
        {
            foreach (string figure in (string[])["pod Gbit/s", "pod conn/s", "out Gbit/s", "out conn/s"])
            {
                bool withAim = ReferenceEquals(ruleset, tcp[2]);
                Print(runs, ruleset, figure, tcp[0], tcp[1], aim: withAim ? "≥ 0.95 (b)" : "");
                if (withAim)
                {
                    AimReport.RecordRatioAtLeast(Invariant($"host-edge: {figure}, * HEP + {HostPolicies:N0} host policies ÷ no HEP"), runs.Ratio(ruleset.Label, tcp[1].Label, figure), 0.95);
                }
            }
        }

        foreach (PacketsRuleset ruleset in udp)
        {
            Print(runs, ruleset, UdpKpps, udp[0], null, aim: ReferenceEquals(ruleset, udp[1]) ? "≥ 0.95 (a)" : "");
        }

        AimReport.RecordRatioAtLeast(Invariant($"host-edge: {UdpKpps}, doNotTrack ÷ no table"), runs.Ratio(udp[1].Label, udp[0].Label, UdpKpps), 0.95);

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

    private static void Print(InterleavedRuns runs, PacketsRuleset ruleset, string figure, PacketsRuleset anchor, PacketsRuleset? baseline, string aim)
    {
        string number = figure.Contains("Gbit", StringComparison.Ordinal) ? "F2" : "F0";
        string spread = runs.Of(ruleset.Label, figure).Format(number: number);
        string toAnchor = ReferenceEquals(ruleset, anchor) ? "1" : runs.Ratio(ruleset.Label, anchor.Label, figure).Format("×");
        string toBaseline = baseline is null || ReferenceEquals(ruleset, anchor) ? "" : ReferenceEquals(ruleset, baseline) ? "1" : runs.Ratio(ruleset.Label, baseline.Label, figure).Format("×");
        Console.WriteLine(Invariant($"  {ruleset.Label,-44} {figure,-11} {spread,-30} {toAnchor,-28} {toBaseline,-28} {aim}"));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
