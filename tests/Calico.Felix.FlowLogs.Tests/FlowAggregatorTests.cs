using System.Net;
using Calico.Felix.Rules.FlowLogs;
using Calico.Goldmane.Api;
using Microsoft.Extensions.Time.Testing;
using static Calico.Felix.FlowLogs.Tests.FlowLogState;
using Action = Calico.Goldmane.Api.Action;

namespace Calico.Felix.FlowLogs.Tests;

[Trait("Tier", "Unit")]
public sealed class FlowAggregatorTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));

    private FlowAggregator NewAggregator(FlowAggregatorOptions? options = null, IPendingTraceSource? pending = null) =>
        new(options ?? new FlowAggregatorOptions(), new FlowLogRuleDecoder(FlowLogRuleTable.Build(Build()), Build()), _clock, pending)
        {
            Identities = Identities(),
        };

    private static FlowTuple Tcp(IPAddress src, int srcPort, IPAddress dst, int dstPort) => new(src, dst, 6, srcPort, dstPort);

    private static string Deny0 => PolicyPrefix(AllowWeb, FlowLogDirection.Ingress, 0, FlowLogAction.Deny);

    private static string PassIn => PolicyPrefix(PassAll, FlowLogDirection.Ingress, 0, FlowLogAction.Pass);

    private static string AllowIn => PolicyPrefix(AllowWeb, FlowLogDirection.Ingress, 1, FlowLogAction.Allow);

    [Fact]
    public void DeniedFlood_ManyPacketsAndSourcePorts_OneRecordWithEveryPacketCounted()
    {
        var agg = NewAggregator();
        for (int i = 0; i < 500; i++)
        {
            var t = Tcp(IPAddress.Parse("203.0.113.7"), 40000 + (i % 50), PodB, 80);
            agg.ObservePacket(new LoggedPacket(t, 60, PassIn));
            agg.ObservePacket(new LoggedPacket(t, 60, Deny0));
        }

        var records = agg.Flush();
        var flow = Assert.Single(records).Flow;
        Assert.Equal(Action.Deny, flow.Key.Action);
        Assert.Equal(Reporter.Dst, flow.Key.Reporter);
        Assert.Equal(("corp", EndpointType.NetworkSet, "-"), (flow.Key.SourceName, flow.Key.SourceType, flow.Key.SourceNamespace));
        Assert.Equal(("b", EndpointType.WorkloadEndpoint, "ns1"), (flow.Key.DestName, flow.Key.DestType, flow.Key.DestNamespace));
        Assert.Equal((500L, 500L * 60), (flow.PacketsIn, flow.BytesIn));
        Assert.Equal(50, flow.NumConnectionsStarted);
        Assert.Equal(0, flow.NumConnectionsLive);
        Assert.Equal(["app=web", "tier=front"], flow.DestLabels);
        Assert.Equal(32, records[0].Connections.Count);
        Assert.Equal(18, records[0].ConnectionsOmitted);
    }

    [Fact]
    public void EnforcedTrace_PassThenAllow_HitsInOrderWithPolicyIndex()
    {
        var agg = NewAggregator();
        var t = Tcp(PodA, 41000, PodB, 80);
        agg.ObservePacket(new LoggedPacket(t, 60, PassIn));
        agg.ObservePacket(new LoggedPacket(t, 60, AllowIn));

        var flow = Assert.Single(agg.Flush()).Flow;
        var hits = flow.Key.Policies.EnforcedPolicies;
        Assert.Equal(2, hits.Count);
        Assert.Equal((PolicyKind.GlobalNetworkPolicy, "security", "pass-all", "", Action.Pass, 0L, 0L),
            (hits[0].Kind, hits[0].Tier, hits[0].Name, hits[0].Namespace, hits[0].Action, hits[0].PolicyIndex, hits[0].RuleIndex));
        Assert.Equal((PolicyKind.CalicoNetworkPolicy, "default", "allow-web", "ns1", Action.Allow, 1L, 1L),
            (hits[1].Kind, hits[1].Tier, hits[1].Name, hits[1].Namespace, hits[1].Action, hits[1].PolicyIndex, hits[1].RuleIndex));
        Assert.Equal(Action.Allow, flow.Key.Action);
        Assert.Equal(("a", "b", 80L, "tcp"), (flow.Key.SourceName, flow.Key.DestName, flow.Key.DestPort, flow.Key.Proto));
        Assert.Equal(1, flow.NumConnectionsStarted);
        Assert.Equal(1, flow.NumConnectionsLive);
    }

    [Fact]
    public void EndOfTierDeny_NamesTierAndTrigger()
    {
        var agg = NewAggregator();
        var t = Tcp(PodA, 41000, PodB, 22);
        agg.ObservePacket(new LoggedPacket(t, 60, PassIn));
        agg.ObservePacket(new LoggedPacket(t, 60, FlowLogPrefix.ForEndOfTier("default", FlowLogDirection.Ingress, FlowLogAction.Deny)));

        var hit = Assert.Single(agg.Flush()).Flow.Key.Policies.EnforcedPolicies[1];
        Assert.Equal((PolicyKind.EndOfTier, "default", Action.Deny, -1L), (hit.Kind, hit.Tier, hit.Action, hit.RuleIndex));
        Assert.Equal(("allow-web", "ns1"), (hit.Trigger.Name, hit.Trigger.Namespace));
    }

    [Fact]
    public void NoProfileMatched_IsUpstreamsNoMatchProfile()
    {
        var agg = NewAggregator();
        agg.ObservePacket(new LoggedPacket(Tcp(PodA, 41000, IPAddress.Parse("8.8.8.8"), 53), 60, FlowLogPrefix.ForNoProfileMatched(FlowLogDirection.Egress)));

        var flow = Assert.Single(agg.Flush()).Flow;
        var hit = Assert.Single(flow.Key.Policies.EnforcedPolicies);
        Assert.Equal((PolicyKind.Profile, "__PROFILE__", "__NO_MATCH__", Action.Deny), (hit.Kind, hit.Tier, hit.Name, hit.Action));
        Assert.Equal((Reporter.Src, "pub", EndpointType.Network), (flow.Key.Reporter, flow.Key.DestName, flow.Key.DestType));
        Assert.Equal((1L, 60L), (flow.PacketsOut, flow.BytesOut));
    }

    [Fact]
    public void AllowedConnection_ConntrackCounters_DeltasPerFlushAndFinalOnDestroy()
    {
        var agg = NewAggregator();
        var t = Tcp(PodA, 41000, PodB, 80);
        agg.ObservePacket(new LoggedPacket(t, 60, PassIn));
        agg.ObservePacket(new LoggedPacket(t, 60, AllowIn));
        var reply = Tcp(PodB, 80, PodA, 41000);
        agg.ObserveConntrack(new ConntrackSample(t, reply, 10, 1_000, 8, 50_000, Destroyed: false));

        var first = Assert.Single(agg.Flush()).Flow;
        Assert.Equal((10L, 1_000L, 8L, 50_000L), (first.PacketsIn, first.BytesIn, first.PacketsOut, first.BytesOut));
        Assert.Equal((1L, 0L, 1L), (first.NumConnectionsStarted, first.NumConnectionsCompleted, first.NumConnectionsLive));

        _clock.Advance(TimeSpan.FromSeconds(15));
        agg.ObserveConntrack(new ConntrackSample(t, reply, 25, 2_500, 20, 150_000, Destroyed: false));
        var second = Assert.Single(agg.Flush()).Flow;
        Assert.Equal((15L, 1_500L, 12L, 100_000L), (second.PacketsIn, second.BytesIn, second.PacketsOut, second.BytesOut));
        Assert.Equal((0L, 0L, 1L), (second.NumConnectionsStarted, second.NumConnectionsCompleted, second.NumConnectionsLive));
        Assert.Equal(first.EndTime, second.StartTime);
        Assert.Equal(15, second.EndTime - second.StartTime);

        agg.ObserveConntrack(new ConntrackSample(t, reply, 26, 2_552, 21, 150_052, Destroyed: true));
        var third = Assert.Single(agg.Flush()).Flow;
        Assert.Equal((1L, 52L, 1L, 52L), (third.PacketsIn, third.BytesIn, third.PacketsOut, third.BytesOut));
        Assert.Equal((0L, 1L, 0L), (third.NumConnectionsStarted, third.NumConnectionsCompleted, third.NumConnectionsLive));
        Assert.Equal(0, agg.TrackedConnections);
        Assert.Empty(agg.Flush());
    }

    [Fact]
    public void BothEndsLocal_EachSideReportsItsOwnDirection()
    {
        var agg = NewAggregator();
        var t = Tcp(PodA, 41000, PodB, 80);
        agg.ObservePacket(new LoggedPacket(t, 60, PolicyPrefix(AllowWeb, FlowLogDirection.Egress, 0, FlowLogAction.Allow)));
        agg.ObservePacket(new LoggedPacket(t, 60, AllowIn));
        agg.ObserveConntrack(new ConntrackSample(t, Tcp(PodB, 80, PodA, 41000), 3, 300, 2, 2_000, Destroyed: false));

        var flows = agg.Flush().Select(r => r.Flow).OrderBy(f => f.Key.Reporter).ToList();
        Assert.Equal([Reporter.Src, Reporter.Dst], flows.Select(f => f.Key.Reporter));
        Assert.Equal((300L, 2_000L), (flows[0].BytesOut, flows[0].BytesIn));
        Assert.Equal((300L, 2_000L), (flows[1].BytesIn, flows[1].BytesOut));
    }

    [Fact]
    public void Conntrack_ConnectionMissingFromCompleteDump_IsCompleted()
    {
        var agg = NewAggregator();
        var t = Tcp(PodA, 41000, PodB, 80);
        agg.ObservePacket(new LoggedPacket(t, 60, AllowIn));
        agg.Flush();
        agg.BeginConntrackDump();
        var flow = Assert.Single(agg.Flush(dumpComplete: true)).Flow;
        Assert.Equal((1L, 0L), (flow.NumConnectionsCompleted, flow.NumConnectionsLive));
        Assert.Equal(0, agg.TrackedConnections);
    }

    [Fact]
    public void PendingTrace_Continuous_ComesFromTheSourceAndIsReevaluated_NoneLeavesItEmpty()
    {
        var pending = new SwitchablePending { Action = Action.Allow };
        var agg = NewAggregator(pending: pending);
        var t = Tcp(PodA, 41000, PodB, 80);
        agg.ObservePacket(new LoggedPacket(t, 60, AllowIn));
        var first = Assert.Single(agg.Flush()).Flow.Key.Policies.PendingPolicies;
        Assert.Equal(Action.Allow, Assert.Single(first).Action);

        pending.Action = Action.Deny;
        agg.ObserveConntrack(new ConntrackSample(t, Tcp(PodB, 80, PodA, 41000), 1, 60, 0, 0, Destroyed: false));
        var second = Assert.Single(agg.Flush()).Flow.Key;
        Assert.Equal(Action.Deny, Assert.Single(second.Policies.PendingPolicies).Action);
        Assert.Equal(Action.Allow, second.Action);

        var none = NewAggregator(new FlowAggregatorOptions { PolicyEvaluationMode = PolicyEvaluationMode.None }, pending);
        none.ObservePacket(new LoggedPacket(t, 60, AllowIn));
        Assert.Empty(Assert.Single(none.Flush()).Flow.Key.Policies.PendingPolicies);
    }

    [Fact]
    public void Flood_BeyondTheRate_CountedNotProcessed_AndRefillsWithTime()
    {
        var agg = NewAggregator(new FlowAggregatorOptions { PacketsPerSecond = 100, PacketBurst = 100 });
        var t = Tcp(IPAddress.Parse("198.51.100.1"), 40000, PodB, 80);
        for (int i = 0; i < 1_000; i++)
        {
            agg.ObservePacket(new LoggedPacket(t, 60, Deny0));
        }

        Assert.Equal((1_000L, 900L), (agg.Counters.PacketsReceived, agg.Counters.PacketsRateLimited));
        Assert.Equal(100, Assert.Single(agg.Flush()).Flow.PacketsIn);

        _clock.Advance(TimeSpan.FromSeconds(0.5));
        for (int i = 0; i < 100; i++)
        {
            agg.ObservePacket(new LoggedPacket(t, 60, Deny0));
        }

        Assert.Equal(50, Assert.Single(agg.Flush()).Flow.PacketsIn);
    }

    [Fact]
    public void Caps_ConnectionsAndFlows_BoundedAndCounted()
    {
        var agg = NewAggregator(new FlowAggregatorOptions { MaxConnections = 10, MaxFlowsPerInterval = 5 });
        for (int i = 0; i < 50; i++)
        {
            agg.ObservePacket(new LoggedPacket(Tcp(PodA, 40000 + i, PodB, 80), 60, AllowIn));
        }

        Assert.Equal(10, agg.TrackedConnections);
        Assert.Equal(40, agg.Counters.ConnectionsOverCap);

        for (int port = 1; port <= 20; port++)
        {
            agg.ObservePacket(new LoggedPacket(Tcp(PodA, 40000, PodB, port), 60, Deny0));
        }

        Assert.Equal(5, agg.Flush().Count);
        Assert.Equal(16, agg.Counters.FlowsOverCap);
    }

    [Fact]
    public void UnknownPrefix_CountedAsUndecodable()
    {
        var agg = NewAggregator();
        agg.ObservePacket(new LoggedPacket(Tcp(PodA, 1, PodB, 2), 60, "API0|0000000000000000"));
        Assert.Equal(1, agg.Counters.PacketsUndecodable);
        Assert.Empty(agg.Flush());
    }

    private sealed class SwitchablePending : IPendingTraceSource
    {
        public Action Action { get; set; }

        public IReadOnlyList<PolicyHit> PendingTrace(FlowTuple tuple, Reporter reporter) =>
            [new PolicyHit { Kind = PolicyKind.StagedNetworkPolicy, Tier = "default", Namespace = "ns1", Name = "staged-lockdown", Action = Action, RuleIndex = 0 }];
    }
}
