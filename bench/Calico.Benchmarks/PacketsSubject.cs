using System.Diagnostics;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;
using Calico.Linux.Nft;

namespace Calico.Benchmarks;

/// <summary>
/// One ruleset of <see cref="DataplanePacketBenchmarks"/> with a topology of its own (a host namespace and two pods),
/// loaded once and kept for the whole run, so rounds visit rulesets without reloading them (10,000 policies take
/// seconds to load and would leave the kernel busy freeing the old table during the next measurement).
/// Dispose stops the CRR server and deletes the namespaces.
/// </summary>
internal sealed class PacketsSubject : IDisposable
{
    private static readonly TimeSpan CrrDuration = TimeSpan.FromSeconds(5);

    private PacketsSubject(string label, int policies, PacketsTopology topology)
    {
        Label = label;
        Policies = policies;
        Topology = topology;
    }

    public string Label { get; }

    public int Policies { get; }

    public PacketsTopology Topology { get; }

    public bool HasTable { get; private set; }

    public PolicyKey? FinalPolicy { get; private set; }

    public TimeSpan BuildTime { get; private set; }

    public TimeSpan LoadTime { get; private set; }

    public int TextKiB { get; private set; }

    /// <summary>New flows opened through this subject's host namespace, warm-up included (iperf3: 2 a run, CRR: 1 a connection).</summary>
    public long NewFlows { get; private set; }

    private PacketsCrr? Server { get; set; }

    /// <summary>Rounds also measure the loaded connection rate (<see cref="PacketsCrr.RunClientsAsync"/>): the eBPF run's.</summary>
    public static bool MeasureLoaded { get; set; }

    /// <summary>The eBPF workload dataplane of an eBPF subject (null for the nftables ones and the anchor).</summary>
    public PacketsBpf? Bpf { get; private set; }

    /// <summary>Cross-host: the server host's eBPF dataplane (its policy change figures are not taken).</summary>
    public PacketsBpf? Bpf2 { get; private set; }

    /// <summary>
    /// Builds the namespaces and, unless <paramref name="policies"/> is null (the no-table anchor), the ruleset for
    /// them, and loads it with one <c>nft -f</c>. The ruleset's text is dropped once loaded.
    /// </summary>
    /// <param name="floorText">
    /// Instead of a ruleset, this nft text (a floor such as one <c>ct state</c> rule, which hooks connection tracking
    /// into the namespace as every stateful table does); <paramref name="policies"/> must then be null.
    /// </param>
    /// <param name="bpfObject">
    /// calico_tc.o for an eBPF subject: the table is rendered with workload policy in BPF (as calico-node in BPF mode
    /// loads it: NAT and host endpoints only) and <see cref="PacketsBpf"/> writes the policy into maps.
    /// </param>
    /// <param name="crossHost">The server pod on a second host (<see cref="PacketsTopology.Host2"/>), which gets the same table and dataplane.</param>
    /// <param name="direct">The ceiling's topology (<see cref="PacketsTopology.CreateAsync"/>'s <c>direct</c>): no host, no table.</param>
    public static async Task<PacketsSubject> CreateAsync(string label, int? policies, CancellationToken cancellationToken, string? floorText = null, string? bpfObject = null, bool crossHost = false, bool direct = false)
    {
        PacketsTopology topology = await PacketsTopology.CreateAsync(cancellationToken, crossHost, direct);
        var subject = new PacketsSubject(label, policies ?? 0, topology);
        try
        {
            subject.Server = await PacketsCrr.StartServerAsync(topology.Server.Path, PacketsTopology.ServerIp, PacketsRulesets.CrrPort, cancellationToken);
            if (policies is { } count)
            {
                PacketsRuleset ruleset = PacketsRulesets.Build(label, count, topology, bpfObject is null ? null : new RenderConfig { WorkloadPolicyInBpf = true });
                NftResult applied = await NftRunner.ApplyInAsync(topology.Host.Path, ruleset.NftText!, cancellationToken);
                subject.HasTable = true;
                subject.FinalPolicy = ruleset.FinalPolicy;
                subject.BuildTime = ruleset.BuildTime;
                subject.LoadTime = applied.Duration;
                subject.TextKiB = ruleset.NftText!.Length / 1024;
                if (topology.Host2 is { } host2)
                {
                    await NftRunner.ApplyInAsync(host2.Path, ruleset.NftText!, cancellationToken);
                }

                if (bpfObject is not null)
                {
                    subject.Bpf = await PacketsBpf.StartAsync(topology.Host.Path, bpfObject, ruleset.State!, cancellationToken);
                    if (topology.Host2 is { } bpfHost2)
                    {
                        subject.Bpf2 = await PacketsBpf.StartAsync(bpfHost2.Path, bpfObject, ruleset.State!, cancellationToken, toggle: false);
                    }
                }
            }
            else if (floorText is not null)
            {
                NftResult applied = await NftRunner.ApplyInAsync(topology.Host.Path, floorText, cancellationToken);
                subject.HasTable = true;
                subject.LoadTime = applied.Duration;
                if (topology.Host2 is { } host2)
                {
                    await NftRunner.ApplyInAsync(host2.Path, floorText, cancellationToken);
                }
            }

            if (!await PacketsCrr.ProbeAsync(topology.Client.Path, PacketsTopology.ServerIp, PacketsRulesets.CrrPort, TimeSpan.FromSeconds(3), cancellationToken))
            {
                throw new InvalidOperationException($"{label}: the client cannot connect to the server: the ruleset drops the flow");
            }

            subject.NewFlows = 1;
            return subject;
        }
        catch
        {
            subject.Dispose();
            throw;
        }
    }

    /// <summary>One round on this subject: iperf3 single stream, then the CRR loop.</summary>
    public async Task<IReadOnlyDictionary<string, double>> MeasureAsync(CancellationToken cancellationToken)
    {
        double gbits = await PacketsIperf.RunGbitsAsync(Topology, cancellationToken);
        PacketsCrrResult crr = await PacketsCrr.RunClientAsync(Topology.Client.Path, PacketsTopology.ServerIp, PacketsRulesets.CrrPort, CrrDuration, cancellationToken);
        NewFlows += 2 + crr.Connections;
        var values = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            [PacketsReport.Gbits] = gbits,
            [PacketsReport.ConnectionRate] = crr.ConnectionsPerSecond,
            [PacketsReport.P50] = crr.P50Microseconds,
            [PacketsReport.P99] = crr.P99Microseconds,
        };
        if (MeasureLoaded)
        {
            double loaded = await PacketsCrr.RunClientsAsync(Topology.Client.Path, PacketsTopology.ServerIp, PacketsRulesets.CrrPort, CrrDuration, PacketsCrr.LoadedClients, cancellationToken);
            NewFlows += (long)(loaded * CrrDuration.TotalSeconds);
            values[PacketsReport.ConnectionRateLoaded] = loaded;
        }

        return values;
    }

    /// <summary>
    /// Packets counted by the final allowing policy's rule (or the endpoint chain that holds it when rule runs are
    /// merged, the default) and how long <c>nft -j list</c> took; null without policies or with them in eBPF.
    /// </summary>
    public async Task<(long Packets, TimeSpan ListTime)?> FinalPolicyPacketsAsync(CancellationToken cancellationToken)
    {
        if (FinalPolicy is not { } final || Bpf is not null)
        {
            return null;
        }

        long started = Stopwatch.GetTimestamp();
        string json = await NftRunner.ListTableJsonInAsync(Topology.Host.Path, "inet", "calico", cancellationToken)
            ?? throw new InvalidOperationException($"{Label}: table inet calico vanished during the run");
        IReadOnlyDictionary<string, (long Packets, long Bytes)> counters = NftCounters.ParseRuleCountersByChain(json);
        long policyChain = counters.GetValueOrDefault(NftablesRenderer.PolicyChainName(final, inbound: true)).Packets;
        long packets = policyChain > 0 ? policyChain : counters.GetValueOrDefault("cali-tw-" + Topology.ServerHostIf).Packets;
        return (packets, Stopwatch.GetElapsedTime(started));
    }

    public void Dispose()
    {
        Bpf?.Dispose();
        Bpf2?.Dispose();
        Server?.Dispose();
        Topology.Dispose();
    }
}
