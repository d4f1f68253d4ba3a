using System.Globalization;

namespace Calico.Benchmarks;

/// <summary>
/// Prints dataplane-packets' figures (medians with min–max, ratios to the no-table anchor pair by pair within a
/// round) beside the issue's aims, records the aims in <see cref="AimReport"/>, and prints the path check.
/// </summary>
internal static class PacketsReport
{
    public const string Anchor = "(a) no table";
    public const string Policies1k = "(c) 1,000 policies";
    public const string Policies10k = "(d) 10,000 policies";
    public const string Bpf0 = "(e) eBPF: endpoints + allow-all profile";
    public const string Bpf1k = "(f) eBPF: 1,000 policies";
    public const string Bpf10k = "(g) eBPF: 10,000 policies";
    public const string Ceiling = "(h) ceiling: the pods on one veth, no host";
    public const string Gbits = "Gbit/s";
    public const string ConnectionRate = "conn/s";
    public const string ConnectionRateLoaded = "conn/s, 4 clients";
    public const string P50 = "CRR p50 µs";
    public const string P99 = "CRR p99 µs";

    // The issue states the throughput aim at 1,000 policies and the connection-rate aims at 1,000 and 10,000.
    private const double ThroughputAim1k = 0.95;
    private const double ConnectionRateAim1k = 0.90;
    private const double ConnectionRateAim10k = 0.85;

    // Issue 18: the eBPF dataplane beats the bare routed path at 1,000 and 10,000 policies; a change enforced fast.
    private const double BpfThroughputAim = 1.2;
    private const double BpfConnectionRateAim = 1.1;
    private const double PolicyChangeAimMs = 10;

    public static bool IsBpf(string label) => label is Bpf0 or Bpf1k or Bpf10k;

    public static async Task PrintAsync(InterleavedRuns runs, IReadOnlyList<PacketsSubject> subjects, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        runs.Print(Gbits, Anchor, Invariant($"≥ {ThroughputAim1k:F2}× at 1,000 policies"));
        runs.Print(ConnectionRate, Anchor, Invariant($"≥ {ConnectionRateAim1k:F2}× at 1,000, ≥ {ConnectionRateAim10k:F2}× at 10,000 policies"), number: "F0");

        // Per-connection latency, for context: its median holds steady on a loaded machine (a descheduled client
        // stretches the tail and lowers conn/s, not the p50), so p50 ÷ anchor shows the table's per-flow cost.
        runs.Print(P50, Anchor, number: "F1");
        runs.Print(P99, Anchor, number: "F0");

        AimReport.RecordRatioAtLeast("dataplane-packets: throughput, 1,000 policies ÷ no table", runs.Ratio(Policies1k, Anchor, Gbits), ThroughputAim1k);
        AimReport.RecordRatioAtLeast("dataplane-packets: conn rate, 1,000 policies ÷ no table", runs.Ratio(Policies1k, Anchor, ConnectionRate), ConnectionRateAim1k);
        AimReport.RecordRatioAtLeast("dataplane-packets: conn rate, 10,000 policies ÷ no table", runs.Ratio(Policies10k, Anchor, ConnectionRate), ConnectionRateAim10k);

        Console.WriteLine();
        Console.WriteLine("  programming and path check (packets counted by the final allowing policy's rule vs new flows opened):");
        foreach (PacketsSubject subject in subjects.Where(s => s.HasTable))
        {
            string check = await subject.FinalPolicyPacketsAsync(cancellationToken) is { } counted
                ? Invariant($"nft -j list {counted.ListTime.TotalMilliseconds,6:F0} ms  policy path (final policy's chain, or the endpoint chain when merged) counted {counted.Packets} packets for {subject.NewFlows} new flows{(counted.Packets > 0 ? "" : "  <- NOT TRAVERSED")}")
                : "no policy";
            Console.WriteLine(Invariant(
                $"    {subject.Label,-36} calc+render {subject.BuildTime.TotalMilliseconds,7:F0} ms  nft -f {subject.LoadTime.TotalMilliseconds,7:F0} ms  {check}"));
        }
    }

    /// <summary>Issue 18's report: ratios to the bare path beside the nftables 1k figure, then each eBPF subject's programming figures.</summary>
    public static async Task PrintBpfAsync(InterleavedRuns runs, IReadOnlyList<PacketsSubject> subjects, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        runs.Print(Gbits, Anchor, Invariant($"≥ {BpfThroughputAim:F2}× for eBPF at 1,000 and 10,000 policies (nftables 1,000 beside)"));
        runs.Print(ConnectionRate, Anchor, Invariant($"≥ {BpfConnectionRateAim:F2}× for eBPF at 1,000 and 10,000 policies"), number: "F0");

        // The same loop from 4 clients at once: both vCPUs busy, so the rate follows CPU per connection rather than
        // the single ping-pong's wake-ups of halted vCPUs (PacketsCrr.RunClientsAsync); printed beside, not the aim's figure.
        runs.Print(ConnectionRateLoaded, Anchor, number: "F0");
        runs.Print(P50, Anchor, number: "F1");
        runs.Print(P99, Anchor, number: "F0");
        // The ceiling bounds every dataplane: if it does not reach an aim's ratio, no program can.
        Console.WriteLine(Invariant($"  ceiling ÷ bare path, medians of the rounds' pairs (no dataplane can beat the ceiling): throughput {runs.Ratio(Ceiling, Anchor, Gbits).Median:F2}×, conn/s {runs.Ratio(Ceiling, Anchor, ConnectionRate).Median:F2}×, conn/s 4 clients {runs.Ratio(Ceiling, Anchor, ConnectionRateLoaded).Median:F2}×, CRR p50 {runs.Ratio(Ceiling, Anchor, P50).Median:F2}×"));
        foreach (string label in new[] { Bpf0, Bpf1k, Bpf10k })
        {
            Console.WriteLine(Invariant($"    {label} ÷ ceiling: throughput {runs.Ratio(label, Ceiling, Gbits).Median:F2}×, conn/s {runs.Ratio(label, Ceiling, ConnectionRate).Median:F2}×, CRR p50 {runs.Ratio(label, Ceiling, P50).Median:F2}×"));
        }

        foreach ((string label, string count) in new[] { (Bpf1k, "1,000"), (Bpf10k, "10,000") })
        {
            AimReport.RecordRatioAtLeast($"dataplane-packets --dataplane bpf: throughput, eBPF {count} policies ÷ no table", runs.Ratio(label, Anchor, Gbits), BpfThroughputAim);
            AimReport.RecordRatioAtLeast($"dataplane-packets --dataplane bpf: conn rate, eBPF {count} policies ÷ no table", runs.Ratio(label, Anchor, ConnectionRate), BpfConnectionRateAim);
        }

        Console.WriteLine();
        Console.WriteLine("  eBPF programming (start: object opened, maps created and pinned, programs verified; first apply: calc output compiled into map entries, written, programs attached to 2 veths; change: one rule's allow <-> deny, Apply up to the endpoint flip = compile of what changed + diff + the writes the flip needs, p50 of 20; whole apply adds the clean-up deletes):");
        foreach (PacketsSubject subject in subjects)
        {
            if (subject.Bpf is not { } bpf)
            {
                if (subject.HasTable && await subject.FinalPolicyPacketsAsync(cancellationToken) is { } counted)
                {
                    Console.WriteLine(Invariant($"    {subject.Label,-40} calc+render {subject.BuildTime.TotalMilliseconds,7:F0} ms  nft -f {subject.LoadTime.TotalMilliseconds,7:F0} ms  final policy path counted {counted.Packets} packets for {subject.NewFlows} new flows"));
                }

                continue;
            }

            BpfApplyResultLine(subject, bpf);
            AimReport.RecordAtMost($"dataplane-packets --dataplane bpf: policy change -> enforced p50, {subject.Label}", Spread.Of(bpf.ToggleEnforcedMs).Median, "ms", PolicyChangeAimMs);
        }
    }

    /// <summary><c>--only change</c>: one eBPF subject's programming figures and its change aim (no packet figures).</summary>
    public static void PrintBpfChange(PacketsSubject subject)
    {
        PacketsBpf bpf = subject.Bpf!;
        BpfApplyResultLine(subject, bpf);
        AimReport.RecordAtMost($"dataplane-packets --dataplane bpf: policy change -> enforced p50, {subject.Label}", Spread.Of(bpf.ToggleEnforcedMs).Median, "ms", PolicyChangeAimMs);
    }

    private static void BpfApplyResultLine(PacketsSubject subject, PacketsBpf bpf)
    {
        var first = bpf.FirstApply!;
        var toggles = Spread.Of(bpf.ToggleMs);
        long allowed = bpf.ReasonPackets(4);
        long denied = bpf.ReasonPackets(5);
        Console.WriteLine(Invariant($"    {subject.Label,-40} calc+render {subject.BuildTime.TotalMilliseconds,6:F0} ms  nft -f {subject.LoadTime.TotalMilliseconds,6:F0} ms ({subject.TextKiB} KiB)  start {bpf.StartTime.TotalMilliseconds,5:F0} ms  first apply {first.Duration.TotalMilliseconds,6:F0} ms ({first.Writes} writes, {first.Tables} tables, {first.IpSets} sets, {first.Attached} attached)"));
        var enforced = Spread.Of(bpf.ToggleEnforcedMs);
        Console.WriteLine(Invariant($"    {"",-40} change -> enforced p50 {enforced.Median:F2} ms (min {enforced.Min:F2}, max {enforced.Max:F2}; {Median(bpf.ToggleWritesBeforeEnforced)} writes up to the endpoint flip; toggled {bpf.ToggledWhat}); compile p50 {Spread.Of(bpf.ToggleCompileMs).Median:F2} ms ({Median(bpf.ToggleFragmentsCompiled)} policy/profile directions compiled again)"));
        Console.WriteLine(Invariant($"    {"",-40} enforced = compile + diff p50 {Spread.Of(bpf.ToggleDiffMs).Median:F2} ms + writes to the flip p50 {Spread.Of(bpf.ToggleFlipWritesMs).Median:F2} ms + netlink (links, addresses) p50 {Spread.Of(bpf.ToggleNetlinkMs).Median:F2} ms"));
        Console.WriteLine(Invariant($"    {"",-40} whole apply p50 {toggles.Median:F2} ms (min {toggles.Min:F2}, max {toggles.Max:F2}, {Median(bpf.ToggleWrites)} writes, clean-up included; process CPU p50 {Spread.Of(bpf.ToggleCpuMs).Median:F2} ms); compiling the whole state from scratch p50 {Spread.Of(bpf.CompileMs).Median:F2} ms"));
        Console.WriteLine(Invariant($"    {"",-40} path: cali_reasons allow {allowed} / deny {denied} (packets that a rule allowed: flows' first packets, per hook) for {subject.NewFlows} new flows opened{(allowed > 0 ? "" : "  <- NOT TRAVERSED")}"));
    }

    private static int Median(List<int> values) => values.Order().ElementAt(values.Count / 2);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
