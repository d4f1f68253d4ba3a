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
/// logs render, so the difference is the logging; the default (merged) ruleset is measured beside it. Runs are
/// interleaved (off, on, merged, off, on, merged, ...) so machine noise hits each alike; medians are compared.
/// </summary>
internal static class FlowLogPacketBenchmarks
{
    private const int Rounds = 3;
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
        Console.WriteLine($"flow logs per-packet: pod -> pod through a host netns, {Rounds} interleaved rounds of iperf3 -t 5 and CRR {CrrDuration.TotalSeconds:F0} s per variant");
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
            string[] texts = [.. variants.Select(v => NftablesRenderer.Build(state, v.Config, NatInputs.None).ToFullTransaction())];
            var gbits = variants.Select(_ => new List<double>()).ToArray();
            var rates = variants.Select(_ => new List<double>()).ToArray();
            long logged = 0, undecoded = 0, overflows = 0, dropped = 0, flows = 0;
            for (int round = 0; round < Rounds; round++)
            {
                for (int v = 0; v < variants.Length; v++)
                {
                    await NftRunner.ApplyInAsync(topology.Host.Path, texts[v], cancellationToken);
                    NflogReader? reader = variants[v].Config.FlowLogs
                        ? await NflogReader.OpenInAsync(topology.Host.Path, [FlowLogPrefix.IngressGroup, FlowLogPrefix.EgressGroup], cancellationToken)
                        : null;
                    Task<(long Logged, long Undecoded)>? drain = reader is null ? null : DrainAsync(reader.Start(), table);
                    try
                    {
                        if (!await PacketsCrr.ProbeAsync(topology.Client.Path, PacketsTopology.ServerIp, PacketsRulesets.CrrPort, TimeSpan.FromSeconds(3), cancellationToken))
                        {
                            throw new InvalidOperationException($"{policies} policies, {variants[v].Label}: the ruleset drops the benchmark flow");
                        }

                        gbits[v].Add(await PacketsIperf.RunGbitsAsync(topology, cancellationToken));
                        PacketsCrrResult crr = await PacketsCrr.RunClientAsync(topology.Client.Path, PacketsTopology.ServerIp, PacketsRulesets.CrrPort, CrrDuration, cancellationToken);
                        rates[v].Add(crr.ConnectionsPerSecond);
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
                }
            }

            Console.WriteLine();
            Console.WriteLine(Invariant($"  {policies} policies on the server (each new flow walks past them before the last allows it):"));
            Console.WriteLine(Invariant($"    {"variant",-24} {"Gbit/s min / med / max",-24} {"÷ off",6}   {"conn/s min / med / max",-24} {"÷ off",6}"));
            for (int v = 0; v < variants.Length; v++)
            {
                Console.WriteLine(Invariant(
                    $"    {variants[v].Label,-24} {Spread(gbits[v], "F2"),-24} {Median(gbits[v]) / Median(gbits[0]),6:F2}   {Spread(rates[v], "F0"),-24} {Median(rates[v]) / Median(rates[0]),6:F2}"));
            }

            Console.WriteLine(Invariant(
                $"    reader: {logged} records decoded for ~{flows} new flows ({(flows > 0 ? (double)logged / flows : 0):F2} per flow), {undecoded} prefixes not in the table, {overflows} kernel overflows, {dropped} dropped (channel full)"));
            Console.WriteLine("    aims (issue 14): throughput on/off >= 0.95, new-connection rate on/off >= 0.90");
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

    private static string Spread(List<double> values, string format)
    {
        List<double> sorted = [.. values.Order()];
        return $"{sorted[0].ToString(format, CultureInfo.InvariantCulture)} / {Median(sorted).ToString(format, CultureInfo.InvariantCulture)} / {sorted[^1].ToString(format, CultureInfo.InvariantCulture)}";
    }

    private static double Median(List<double> values)
    {
        List<double> sorted = [.. values.Order()];
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
