using System.Runtime.InteropServices;
using Calico.TestKit;

namespace Calico.Benchmarks;

/// <summary>
/// Per-packet cost of our nftables ruleset on the routed pod-to-pod path (performance-anchors 2.a/2.b): iperf3
/// single-stream throughput and the TCP connection rate (CRR) with no table (the anchor), our table with the two
/// endpoints and an allow-all profile, and 1,000 / 10,000 policies on the destination that the flow walks past before
/// the last one allows it. Each ruleset has a topology of its own, loaded once; rounds visit every ruleset in turn
/// (<see cref="InterleavedRuns"/>: a warm-up round not counted, then at least 5, the order rotating each round) and
/// ratios to the anchor are taken pair by pair. Prints them beside the issue's aims (and records them in
/// <see cref="AimReport"/>); asserts nothing. Needs root and iperf3. Namespaces are removed at the end, on failure
/// and on Ctrl-C. <c>DATAPLANE_PACKETS_ROUNDS</c> sets the counted rounds (e.g. 1 for a quick try).
/// With <c>--dataplane bpf</c> (issue 18) the subjects are the anchor, the nftables 1,000-policy ruleset and the eBPF
/// dataplane with 0, 1,000 and 10,000 policies (<see cref="PacketsBpf"/>), plus <see cref="PacketsBpfColdStart"/>.
/// </summary>
internal static class DataplanePacketBenchmarks
{
    private static readonly (string Label, int? Policies, string? FloorText)[] Rulesets =
    [
        (PacketsReport.Anchor, null, null),

        // A floor for context, not an aim: connection tracking hooked into the namespace by one `ct state` rule and
        // nothing else, as any stateful table does (ours must, for workload policy), so the per-flow cost of
        // conntrack alone shows beside our table's.
        ("(a2) floor: one ct state rule", null, """
            table inet calico
            delete table inet calico
            table inet calico {
                chain forward {
                    type filter hook forward priority filter; policy accept;
                    ct state established,related accept
                }
            }
            """),
        ("(b) endpoints + allow-all profile", 0, null),
        (PacketsReport.Policies1k, 1_000, null),
        (PacketsReport.Policies10k, 10_000, null),
    ];

    private static readonly (string Label, int? Policies, string? FloorText)[] BpfRulesets =
    [
        (PacketsReport.Anchor, null, null),
        (PacketsReport.Policies1k, 1_000, null),
        (PacketsReport.Bpf0, 0, null),
        (PacketsReport.Bpf1k, 1_000, null),
        (PacketsReport.Bpf10k, 10_000, null),

        // What no dataplane can beat (PacketsTopology's direct): whether an aim above the bare path is reachable here.
        (PacketsReport.Ceiling, null, null),
    ];

    /// <param name="bpf">Issue 18's run (<c>--dataplane bpf</c>) instead of the nftables one.</param>
    /// <param name="onlyChange">
    /// <c>--only change</c>: only the eBPF subjects, each set up (topology, table, start, first apply, the toggles), its
    /// programming figures printed and torn down; no packet rounds, no cold start (a minute instead of ten).
    /// </param>
    /// <param name="onlyColdStart">
    /// <c>--only coldstart</c>: only <see cref="PacketsBpfColdStart"/> (its samples: DATAPLANE_PACKETS_ROUNDS, at most 3
    /// as in the full run); no packet subjects.
    /// </param>
    /// <param name="onlyProfile">
    /// <c>--only profile</c>: the anchor and the eBPF subjects at 1,000 and 10,000 policies, each CRR run with the
    /// kernel's per-program run time (<see cref="PacketsProfile"/>); no rounds, no ratios.
    /// </param>
    /// <param name="onlyTail">
    /// <c>--only tail</c>: the anchor and the eBPF subject at 1,000 policies, each fresh, CRR in back-to-back slices with
    /// each slice's p50 and p99 (<see cref="PacketsTail"/>): whether the tail moves as the conntrack map fills.
    /// </param>
    public static async Task RunAsync(bool bpf = false, bool onlyChange = false, bool onlyColdStart = false, bool onlyProfile = false, bool onlyTail = false)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Console.WriteLine("dataplane-packets: needs root (network namespaces, nft)");
            return;
        }

        if (Prerequisites.Find("iperf3") is null)
        {
            Console.WriteLine("dataplane-packets: iperf3 is missing (Debian package iperf3)");
            return;
        }

        using var cancellation = new CancellationTokenSource();

        // Ctrl-C and kill: keep the process alive until the namespaces and child processes are gone.
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            cancellation.Cancel();
        }

        using PosixSignalRegistration onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using PosixSignalRegistration onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        try
        {
            if (onlyChange)
            {
                await RunChangeOnlyAsync(cancellation.Token);
            }
            else if (onlyProfile || onlyTail)
            {
                await RunProfileOnlyAsync(cancellation.Token, onlyTail);
            }
            else if (onlyColdStart)
            {
                await RunColdStartOnlyAsync(cancellation.Token);
            }
            else
            {
                await RunAllAsync(bpf, cancellation.Token);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            Console.WriteLine("dataplane-packets: cancelled; namespaces removed");
        }
    }

    private static async Task RunAllAsync(bool bpf, CancellationToken cancellationToken)
    {
        int rounds = InterleavedRuns.RoundsFromEnvironment("DATAPLANE_PACKETS_ROUNDS");
        bool crossHost = Environment.GetEnvironmentVariable("DATAPLANE_PACKETS_CROSS_HOST") is "1" or "true";
        Console.WriteLine($"dataplane per-packet{(bpf ? " (--dataplane bpf)" : "")}: pod -> pod routed through {(crossHost ? "two host netns joined by a veth (DATAPLANE_PACKETS_CROSS_HOST)" : "a host netns")} (our CNI wiring), one topology per ruleset, {rounds} interleaved rounds (+1 warm-up) of iperf3 -t 5 and CRR 5 s");
        var subjects = new List<PacketsSubject>();
        using var objectDir = new TempDirectory("calico-bench-bpfobj");
        string? bpfObject = bpf ? PacketsBpfColdStart.CompileObject(objectDir.Path) : null;
        PacketsSubject.MeasureLoaded = bpf;
        try
        {
            foreach ((string label, int? policies, string? floorText) in bpf ? BpfRulesets : Rulesets)
            {
                // Built and loaded one at a time: the 10,000-policy text is large and only needed while it loads.
                bool isBpf = bpfObject is not null && PacketsReport.IsBpf(label);
                PacketsSubject subject = await PacketsSubject.CreateAsync(label, policies, cancellationToken, floorText, isBpf ? bpfObject : null, crossHost, direct: label == PacketsReport.Ceiling);
                subjects.Add(subject);
                Console.WriteLine($"  {label}: loaded ({subject.TextKiB} KiB of nft text{(subject.Bpf is { } b ? $", eBPF: {b.FirstApply!.Writes} map writes" : "")})");
            }

            Dictionary<string, PacketsSubject> byLabel = subjects.ToDictionary(s => s.Label, StringComparer.Ordinal);
            InterleavedRuns runs = await InterleavedRuns.MeasureAsync(
                [.. subjects.Select(s => s.Label)],
                rounds,
                (label, ct) => byLabel[label].MeasureAsync(ct),
                cancellationToken,
                rotate: true);
            if (bpf)
            {
                await PacketsReport.PrintBpfAsync(runs, subjects, cancellationToken);
            }
            else
            {
                await PacketsReport.PrintAsync(runs, subjects, cancellationToken);
            }
        }
        finally
        {
            foreach (PacketsSubject subject in subjects)
            {
                subject.Dispose();
            }
        }

        if (bpfObject is not null)
        {
            // After the packet subjects are gone: the machine is as quiet as this bench can make it.
            await PacketsBpfColdStart.RunAsync(bpfObject, Math.Min(rounds, 3), cancellationToken);
        }
    }

    private static async Task RunColdStartOnlyAsync(CancellationToken cancellationToken)
    {
        int samples = Math.Min(InterleavedRuns.RoundsFromEnvironment("DATAPLANE_PACKETS_ROUNDS"), 3);
        Console.WriteLine("dataplane per-packet (--dataplane bpf --only coldstart): the cold start alone, no packet subjects");
        using var objectDir = new TempDirectory("calico-bench-bpfobj");
        string bpfObject = PacketsBpfColdStart.CompileObject(objectDir.Path);
        await PacketsBpfColdStart.RunAsync(bpfObject, samples, cancellationToken);
    }

    private static async Task RunProfileOnlyAsync(CancellationToken cancellationToken, bool tail = false)
    {
        bool crossHost = Environment.GetEnvironmentVariable("DATAPLANE_PACKETS_CROSS_HOST") is "1" or "true";
        Console.WriteLine(tail
            ? $"dataplane per-packet (--dataplane bpf --only tail): CRR in 5 s slices, each subject fresh, {(crossHost ? "cross-host" : "one host")}"
            : $"dataplane per-packet (--dataplane bpf --only profile): CRR with each BPF program's run time, {(crossHost ? "cross-host" : "one host")}");
        using var objectDir = new TempDirectory("calico-bench-bpfobj");
        string bpfObject = PacketsBpfColdStart.CompileObject(objectDir.Path);
        var subjects = new List<PacketsSubject>();
        try
        {
            (string, int?)[] which = tail
                ? [(PacketsReport.Anchor, null), (PacketsReport.Bpf1k, 1_000)]
                : [(PacketsReport.Anchor, null), (PacketsReport.Bpf1k, 1_000), (PacketsReport.Bpf10k, 10_000)];
            foreach ((string label, int? policies) in which)
            {
                subjects.Add(await PacketsSubject.CreateAsync(label, policies, cancellationToken, null, PacketsReport.IsBpf(label) ? bpfObject : null, crossHost));
            }

            await (tail ? PacketsTail.RunAsync(subjects, cancellationToken) : PacketsProfile.RunAsync(subjects, cancellationToken));
        }
        finally
        {
            foreach (PacketsSubject subject in subjects)
            {
                subject.Dispose();
            }
        }
    }

    private static async Task RunChangeOnlyAsync(CancellationToken cancellationToken)
    {
        Console.WriteLine($"dataplane per-packet (--dataplane bpf --only change): each eBPF subject set up alone, {PacketsBpf.Toggles} toggles of one rule's action, no packet rounds");
        using var objectDir = new TempDirectory("calico-bench-bpfobj");
        string bpfObject = PacketsBpfColdStart.CompileObject(objectDir.Path);
        foreach ((string label, int? policies, string? floorText) in BpfRulesets)
        {
            if (!PacketsReport.IsBpf(label))
            {
                continue;
            }

            using PacketsSubject subject = await PacketsSubject.CreateAsync(label, policies, cancellationToken, floorText, bpfObject);
            PacketsReport.PrintBpfChange(subject);
        }
    }
}
