using System.Diagnostics;
using System.Runtime.InteropServices;
using Calico.Felix.Rules;
using Calico.Linux.Nft;
using Calico.TestKit;

namespace Calico.Benchmarks;

/// <summary>
/// Per-packet cost of our nftables ruleset on the routed pod-to-pod path (performance-anchors 2.a/2.b): iperf3
/// single-stream throughput and the TCP connection rate (CRR) with no table (the anchor, same run), our table with
/// the two endpoints and an allow-all profile, and 1,000 / 10,000 policies on the destination that the flow walks
/// past before the last one allows it. Prints ratios to the anchor beside the aims; asserts nothing.
/// Needs root and iperf3. Namespaces are removed at the end, on failure and on Ctrl-C.
/// </summary>
internal static class DataplanePacketBenchmarks
{
    private const int Runs = 3;
    private static readonly TimeSpan CrrDuration = TimeSpan.FromSeconds(5);

    private static readonly (string Label, int Policies)[] Rulesets =
    [
        ("(b) endpoints + allow-all profile", 0),
        ("(c) 1,000 policies", 1_000),
        ("(d) 10,000 policies", 10_000),
    ];

    public static async Task RunAsync()
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
            await RunAllAsync(cancellation.Token);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            Console.WriteLine("dataplane-packets: cancelled; namespaces removed");
        }
    }

    private static async Task RunAllAsync(CancellationToken cancellationToken)
    {
        Console.WriteLine($"dataplane per-packet: pod -> pod routed through a host netns (our CNI wiring), {Runs} runs each of iperf3 -t 5 and CRR {CrrDuration.TotalSeconds:F0} s");
        using PacketsTopology topology = await PacketsTopology.CreateAsync(cancellationToken);
        using PacketsCrr server = await PacketsCrr.StartServerAsync(topology.Server.Path, PacketsTopology.ServerIp, PacketsRulesets.CrrPort, cancellationToken);

        var results = new List<PacketsRulesetResult> { await MeasureAsync(topology, PacketsRulesets.None(), cancellationToken) };
        foreach ((string label, int policies) in Rulesets)
        {
            // Built one at a time: the 10,000-policy text is large and only needed while it loads.
            results.Add(await MeasureAsync(topology, PacketsRulesets.Build(label, policies, topology), cancellationToken));
        }

        PacketsReport.Print(results);
    }

    private static async Task<PacketsRulesetResult> MeasureAsync(PacketsTopology topology, PacketsRuleset ruleset, CancellationToken cancellationToken)
    {
        var result = new PacketsRulesetResult(ruleset);
        if (ruleset.NftText is not null)
        {
            NftResult applied = await NftRunner.ApplyInAsync(topology.Host.Path, ruleset.NftText, cancellationToken);
            result.LoadTime = applied.Duration;
        }

        Console.WriteLine($"  {ruleset.Label}: loaded ({ruleset.NftText?.Length / 1024 ?? 0} KiB of nft text), measuring");
        if (!await PacketsCrr.ProbeAsync(topology.Client.Path, PacketsTopology.ServerIp, PacketsRulesets.CrrPort, TimeSpan.FromSeconds(3), cancellationToken))
        {
            Console.WriteLine($"  {ruleset.Label}: the client cannot connect to the server: ruleset drops the flow, skipped");
            return result;
        }

        result.NewFlows = 1;
        for (var run = 0; run < Runs; run++)
        {
            result.Gbits.Add(await PacketsIperf.RunGbitsAsync(topology, cancellationToken));
            PacketsCrrResult crr = await PacketsCrr.RunClientAsync(topology.Client.Path, PacketsTopology.ServerIp, PacketsRulesets.CrrPort, CrrDuration, cancellationToken);
            result.Crr.Add(crr);

            // iperf3 opens a control and a data connection.
            result.NewFlows += 2 + crr.Connections;
        }

        if (ruleset.FinalPolicy is { } final)
        {
            long started = Stopwatch.GetTimestamp();
            string json = await NftRunner.ListTableJsonInAsync(topology.Host.Path, "inet", "calico", cancellationToken)
                ?? throw new InvalidOperationException("table inet calico vanished during the run");
            IReadOnlyDictionary<string, (long Packets, long Bytes)> counters = NftCounters.ParseRuleCountersByChain(json);
            // With merged rule runs (the default) the final policy has no chain of its own: its rule is one of the
            // endpoint chain's set lookups, so the flows are counted there.
            long policyChain = counters.GetValueOrDefault(NftablesRenderer.PolicyChainName(final, inbound: true)).Packets;
            result.FinalPolicyPackets = policyChain > 0 ? policyChain : counters.GetValueOrDefault("cali-tw-" + topology.ServerHostIf).Packets;
            result.ListTime = Stopwatch.GetElapsedTime(started);
        }

        return result;
    }
}
