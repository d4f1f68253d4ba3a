using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;
using Calico.Felix.Rules.FlowLogs;
using Calico.Linux.Nflog;
using Calico.Linux.Nft;
using Calico.TestKit;

namespace Calico.Benchmarks;

/// <summary>
/// What flow logs cost on the packet path, without calico-node: the dataplane-packets topology (pod -> pod routed
/// through a host namespace) with our rendered ruleset, flow logs off vs on (the <c>log group</c> statements on every
/// verdict, and an <see cref="NflogReader"/> in the host namespace draining groups 1 and 2 and decoding every prefix
/// through <see cref="FlowLogRuleTable"/>, as the collector would). Off is rendered without rule-run merging, as flow
/// logs render, so the difference is the logging; the default (merged) ruleset is measured beside it. Rounds are
/// interleaved (<see cref="InterleavedRuns"/>: a warm-up round not counted, the order rotating each round) so machine
/// noise hits each alike; medians with min–max and ratios pair by pair are printed, the aims also in
/// <see cref="AimReport"/>.
/// </summary>
internal static class FlowLogPacketBenchmarks
{
    private const string Gbits = "Gbit/s";
    private const string ConnectionRate = "conn/s";

    /// <summary>Counted rounds: 5, or <c>FLOW_LOGS_PACKETS_ROUNDS</c>.</summary>
    private static readonly int Rounds = InterleavedRuns.RoundsFromEnvironment("FLOW_LOGS_PACKETS_ROUNDS");
    private static readonly TimeSpan CrrDuration = TimeSpan.FromSeconds(5);

    public static async Task RunAsync()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Console.WriteLine("flow-logs-packets: needs root (network namespaces, nft)");
            return;
        }

        if (Prerequisites.Find("iperf3") is null)
        {
            Console.WriteLine("flow-logs-packets: iperf3 is missing (Debian package iperf3)");
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
            Console.WriteLine("flow-logs-packets: cancelled; namespaces removed");
        }
    }

    private static async Task RunAllAsync(CancellationToken cancellationToken)
    {
        Console.WriteLine($"flow logs per-packet: pod -> pod through a host netns, {Rounds} interleaved rounds (+1 warm-up) of iperf3 -t 5 and CRR {CrrDuration.TotalSeconds:F0} s per variant");
        using PacketsTopology topology = await PacketsTopology.CreateAsync(cancellationToken);
        using PacketsCrr server = await PacketsCrr.StartServerAsync(topology.Server.Path, PacketsTopology.ServerIp, PacketsRulesets.CrrPort, cancellationToken);
        foreach (int policies in (int[])[0, 1_000])
        {
            DataplaneState state = PacketsRulesets.State(policies, topology);
            FlowLogRuleTable table = FlowLogRuleTable.Build(state);
            (string Label, RenderConfig Config)[] variants =
            [
                ("off (unmerged)", new RenderConfig { MergeRuleRuns = false }),
                ("on (+ reader)", new RenderConfig { FlowLogs = true }),
                ("off (merged, default)", new RenderConfig()),
            ];
            Dictionary<string, (RenderConfig Config, string Text)> byLabel = variants.ToDictionary(
                v => v.Label,
                v => (v.Config, NftablesRenderer.Build(state, v.Config, NatInputs.None).ToFullTransaction()),
                StringComparer.Ordinal);
            long logged = 0, undecoded = 0, overflows = 0, dropped = 0, flows = 0;
            Console.WriteLine(Invariant($"  {policies} policies on the server (each new flow walks past them before the last allows it):"));
            InterleavedRuns runs = await InterleavedRuns.MeasureAsync(
                [.. variants.Select(v => v.Label)],
                Rounds,
                async (label, ct) =>
                {
                    (RenderConfig config, string text) = byLabel[label];
                    await NftRunner.ApplyInAsync(topology.Host.Path, text, ct);
                    NflogReader? reader = config.FlowLogs
                        ? await NflogReader.OpenInAsync(topology.Host.Path, [FlowLogPrefix.IngressGroup, FlowLogPrefix.EgressGroup], ct)
                        : null;
                    Task<(long Logged, long Undecoded)>? drain = reader is null ? null : DrainAsync(reader.Start(), table);
                    double gbits;
                    PacketsCrrResult crr;
                    try
                    {
                        if (!await PacketsCrr.ProbeAsync(topology.Client.Path, PacketsTopology.ServerIp, PacketsRulesets.CrrPort, TimeSpan.FromSeconds(3), ct))
                        {
                            throw new InvalidOperationException($"{policies} policies, {label}: the ruleset drops the benchmark flow");
                        }

                        gbits = await PacketsIperf.RunGbitsAsync(topology, ct);
                        crr = await PacketsCrr.RunClientAsync(topology.Client.Path, PacketsTopology.ServerIp, PacketsRulesets.CrrPort, CrrDuration, ct);
                        if (reader is not null)
                        {
                            flows += crr.Connections + 3;
                        }
                    }
                    finally
                    {
                        reader?.Dispose();
                    }

                    if (drain is not null)
                    {
                        (long l, long u) = await drain;
                        logged += l;
                        undecoded += u;
                        overflows += reader!.Overflows;
                        dropped += reader.Dropped;
                    }

                    return new Dictionary<string, double>(StringComparer.Ordinal) { [Gbits] = gbits, [ConnectionRate] = crr.ConnectionsPerSecond };
                },
                cancellationToken,
                rotate: true);

            string off = variants[0].Label;
            string on = variants[1].Label;
            runs.Print(Gbits, off, "on ÷ off ≥ 0.95× (issue 14)");
            runs.Print(ConnectionRate, off, "on ÷ off ≥ 0.90× (issue 14)", number: "F0");
            AimReport.RecordRatioAtLeast(Invariant($"flow-logs-packets, {policies:N0} policies: Gbit/s on ÷ off"), runs.Ratio(on, off, Gbits), 0.95);
            AimReport.RecordRatioAtLeast(Invariant($"flow-logs-packets, {policies:N0} policies: conn/s on ÷ off"), runs.Ratio(on, off, ConnectionRate), 0.90);
            Console.WriteLine(Invariant(
                $"    reader: {logged} records decoded for ~{flows} new flows, warm-up included ({(flows > 0 ? (double)logged / flows : 0):F2} per flow), {undecoded} prefixes not in the table, {overflows} kernel overflows, {dropped} dropped (channel full)"));
        }
    }

    private static async Task<(long Logged, long Undecoded)> DrainAsync(ChannelReader<NflogPacket> packets, FlowLogRuleTable table)
    {
        long logged = 0, undecoded = 0;
        await foreach (NflogPacket packet in packets.ReadAllAsync())
        {
            if (table.TryGet(packet.Prefix, out _))
            {
                logged++;
            }
            else
            {
                undecoded++;
            }
        }

        return (logged, undecoded);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
