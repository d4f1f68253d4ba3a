using System.Buffers.Binary;
using System.Net;
using Calico.Felix.Rules.FlowLogs;
using Calico.Goldmane.Api;
using Microsoft.Extensions.Time.Testing;
using static Calico.Felix.FlowLogs.Tests.FlowLogState;
using Action = Calico.Goldmane.Api.Action;

namespace Calico.Felix.FlowLogs.Tests;

/// <summary>The programs' verdict events (struct cali_flow_event) decoded, and their path through the aggregator.</summary>
[Trait("Tier", "Unit")]
public sealed class BpfFlowEventTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));

    /// <summary>A record as calico_tc.c's fl_emit writes it (calico_maps.h's layout, host order).</summary>
    internal static byte[] Record(IPAddress src, IPAddress dst, int protocol, int sport, int dport, byte verdict, byte direction,
        uint ifindex = 7, uint table = 3, uint rule = 5, uint ipLength = 60, byte? family = null)
    {
        var r = new byte[BpfFlowEvent.Size];
        src.GetAddressBytes().CopyTo(r, 0);
        dst.GetAddressBytes().CopyTo(r, 16);
        BinaryPrimitives.WriteUInt16LittleEndian(r.AsSpan(32), (ushort)sport);
        BinaryPrimitives.WriteUInt16LittleEndian(r.AsSpan(34), (ushort)dport);
        r[36] = (byte)protocol;
        r[37] = family ?? (src.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? (byte)6 : (byte)4);
        r[38] = verdict;
        r[39] = direction;
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(40), ifindex);
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(44), table);
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(48), rule);
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(52), ipLength);
        BinaryPrimitives.WriteUInt64LittleEndian(r.AsSpan(64), 123_456_789);
        return r;
    }

    [Fact]
    public void Decode_Ipv4Egress_EveryField()
    {
        var e = BpfFlowEvent.Decode(Record(IPAddress.Parse("10.65.0.2"), IPAddress.Parse("10.65.0.3"), 6, 41000, 80, 1, 2, ifindex: 9, table: 11, rule: 4, ipLength: 60));
        Assert.Equal(new FlowTuple(IPAddress.Parse("10.65.0.2"), IPAddress.Parse("10.65.0.3"), 6, 41000, 80), e.Tuple);
        Assert.Equal((BpfVerdict.Allow, BpfPolicyDirection.Egress, 9u, 11u, 4u, 60, 123_456_789ul), (e.Verdict, e.Direction, e.Ifindex, e.Table, e.Rule, e.IpLength, e.TimeNs));
        Assert.Equal(Reporter.Src, e.Reporter);
    }

    [Fact]
    public void Decode_Ipv6IngressDeny_SixteenByteAddressesAndTheDestinationReports()
    {
        var e = BpfFlowEvent.Decode(Record(IPAddress.Parse("fd00:65::2"), IPAddress.Parse("fd00:65::3"), 17, 5353, 53, 2, 1));
        Assert.Equal(IPAddress.Parse("fd00:65::2"), e.Tuple.Src);
        Assert.Equal(IPAddress.Parse("fd00:65::3"), e.Tuple.Dst);
        Assert.Equal((BpfVerdict.Deny, Reporter.Dst), (e.Verdict, e.Reporter));
    }

    [Theory]
    [InlineData(71, 4, 1, 1, "72 bytes")]
    [InlineData(72, 5, 1, 1, "family: 5")]
    [InlineData(72, 4, 3, 1, "verdict: 3")]
    [InlineData(72, 4, 1, 0, "direction: 0")]
    public void Decode_BadRecord_RefusedNamingTheField(int size, byte family, byte verdict, byte direction, string said)
    {
        var r = Record(IPAddress.Parse("10.65.0.2"), IPAddress.Parse("10.65.0.3"), 6, 1, 2, verdict, direction, family: family);
        var e = Assert.Throws<ArgumentException>(() => BpfFlowEvent.Decode(r.AsSpan(0, size)));
        Assert.Contains(said, e.Message, StringComparison.Ordinal);
    }

    private sealed class FixedTraces(params PolicyHit[] hits) : IEnforcedTraceSource
    {
        public List<(FlowTuple, Reporter)> Asked { get; } = [];

        public IReadOnlyList<PolicyHit> EnforcedTrace(FlowTuple tuple, Reporter reporter)
        {
            Asked.Add((tuple, reporter));
            return hits;
        }
    }

    private static PolicyHit Hit(string name, Action action, long rule) =>
        new() { Kind = PolicyKind.CalicoNetworkPolicy, Tier = "default", Namespace = "ns1", Name = name, Action = action, RuleIndex = rule };

    private FlowAggregator NewAggregator(IEnforcedTraceSource traces) =>
        new(new FlowAggregatorOptions(), new FlowLogRuleDecoder(FlowLogRuleTable.Build(Build()), Build()), _clock)
        {
            Identities = Identities(),
            EnforcedTraces = traces,
        };

    [Fact]
    public void DeniedVerdicts_CountEachPacketAndItsIpLength_WithTheEnginesTrace()
    {
        var traces = new FixedTraces(Hit("allow-web", Action.Deny, 0));
        var agg = NewAggregator(traces);
        for (int i = 0; i < 3; i++)
        {
            agg.ObserveBpfVerdict(BpfFlowEvent.Decode(Record(PodA, PodB, 6, 41000, 22, 2, 1, ipLength: 60)));
        }

        var flow = Assert.Single(agg.Flush()).Flow;
        Assert.Equal((Action.Deny, Reporter.Dst, "a", "b", 22L), (flow.Key.Action, flow.Key.Reporter, flow.Key.SourceName, flow.Key.DestName, flow.Key.DestPort));
        Assert.Equal((3L, 180L), (flow.PacketsIn, flow.BytesIn));
        var hit = Assert.Single(flow.Key.Policies.EnforcedPolicies);
        Assert.Equal(("allow-web", Action.Deny, 0L, 0L), (hit.Name, hit.Action, hit.RuleIndex, hit.PolicyIndex));
        Assert.Equal((new FlowTuple(PodA, PodB, 6, 41000, 22), Reporter.Dst), traces.Asked[0]);
    }

    [Fact]
    public void AllowedVerdict_CountersFromTheProgramsSamples_CompletedAtTheFlowsEnd()
    {
        var agg = NewAggregator(new FixedTraces(Hit("allow-web", Action.Allow, 1)));
        var tuple = new FlowTuple(PodA, PodB, 6, 41000, 80);
        var reply = new FlowTuple(PodB, PodA, 6, 80, 41000);
        agg.ObserveBpfVerdict(BpfFlowEvent.Decode(Record(PodA, PodB, 6, 41000, 80, 1, 2)));
        agg.ObserveBpfVerdict(BpfFlowEvent.Decode(Record(PodA, PodB, 6, 41000, 80, 1, 1)));
        agg.BeginConntrackDump();
        agg.ObserveConntrack(new ConntrackSample(tuple, reply, 10, 1_000, 8, 50_000, Destroyed: false));
        var first = agg.Flush(dumpComplete: true);
        Assert.Equal(2, first.Count);
        var source = Assert.Single(first, r => r.Flow.Key.Reporter == Reporter.Src).Flow;
        var destination = Assert.Single(first, r => r.Flow.Key.Reporter == Reporter.Dst).Flow;
        Assert.Equal((10L, 1_000L, 8L, 50_000L), (source.PacketsOut, source.BytesOut, source.PacketsIn, source.BytesIn));
        Assert.Equal((10L, 1_000L, 8L, 50_000L), (destination.PacketsIn, destination.BytesIn, destination.PacketsOut, destination.BytesOut));
        Assert.Equal(1, source.NumConnectionsLive);

        agg.BeginConntrackDump();
        agg.ObserveConntrack(new ConntrackSample(tuple, reply, 12, 1_100, 9, 50_100, Destroyed: true));
        var second = agg.Flush(dumpComplete: true);
        var ended = Assert.Single(second, r => r.Flow.Key.Reporter == Reporter.Src).Flow;
        Assert.Equal((2L, 100L, 1L, 100L, 1L), (ended.PacketsOut, ended.BytesOut, ended.PacketsIn, ended.BytesIn, ended.NumConnectionsCompleted));
        Assert.Equal(0, agg.TrackedConnections);
    }

    [Fact]
    public void Verdict_TheEngineDisagrees_ProgramsActionWithAnEmptyTrace_Counted()
    {
        var agg = NewAggregator(new FixedTraces(Hit("allow-web", Action.Allow, 1)));
        agg.ObserveBpfVerdict(BpfFlowEvent.Decode(Record(PodA, PodB, 6, 41000, 80, 0, 1)));
        var flow = Assert.Single(agg.Flush()).Flow;
        Assert.Equal(Action.Deny, flow.Key.Action);
        Assert.Empty(flow.Key.Policies.EnforcedPolicies);
        Assert.Equal(1, agg.Counters.BpfTraceMismatches);
        Assert.Equal(1, agg.Counters.BpfVerdictsReceived);
    }
}
