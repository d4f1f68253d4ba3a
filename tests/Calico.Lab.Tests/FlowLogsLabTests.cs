using Calico.Goldmane.Api;
using Calico.Lab.Cluster;
using FlowAction = Calico.Goldmane.Api.Action;

namespace Calico.Lab.Tests;

/// <summary>
/// Cluster tier, flow logs end to end over real packets in a 2-host lab (<see cref="FlowsLabFixture"/>): calico-node
/// on each host reports to the lab's aggregator, which the tests query with upstream's generated client (Flows.List)
/// and calicoctl. Identities, actions, enforced and pending traces (tier, policy, rule index, action) and byte counts
/// against what the sender sent; staged policies; restarts of the aggregator and of a calico-node; a denied flood.
/// </summary>
[Trait("Tier", "Cluster")]
public sealed partial class FlowLogsLabTests(FlowsLabFixture fixture) : IClassFixture<FlowsLabFixture>
{
    private const string Tier = "default";

    [Fact]
    public void Workloads_SameHostAndCrossHost_AllowedAndDenied_WithIdentitiesTracesAndBytes()
    {
        // Same host (host1): a -> b.
        Assert.True(fixture.Sent["a->b:5001"], "a -> b:5001 should connect");
        var sameHost = Record(Reporter.Dst, 5001);
        AssertEnds(sameHost, EndpointType.WorkloadEndpoint, "x", "a", EndpointType.WorkloadEndpoint, "x", "b");
        AssertEnforced(sameHost, FlowAction.Allow, Hit("allow-b", 0, FlowAction.Allow));
        AssertBytes(sameHost.BytesIn, "bytes_in of a -> b:5001 (destination side)");
        var sameHostSource = Record(Reporter.Src, 5001);
        AssertEnds(sameHostSource, EndpointType.WorkloadEndpoint, "x", "a", EndpointType.WorkloadEndpoint, "x", "b");
        AssertEnforced(sameHostSource, FlowAction.Allow, Hit("a-egress", 1, FlowAction.Allow));
        AssertBytes(sameHostSource.BytesOut, "bytes_out of a -> b:5001 (source side)");

        Assert.False(fixture.Sent["a->b:5011"], "a -> b:5011 should be denied");
        var sameHostDenied = Record(Reporter.Dst, 5011);
        AssertEnds(sameHostDenied, EndpointType.WorkloadEndpoint, "x", "a", EndpointType.WorkloadEndpoint, "x", "b");
        AssertEnforced(sameHostDenied, FlowAction.Deny, Hit("allow-b", 1, FlowAction.Deny));
        Assert.True(sameHostDenied.PacketsIn > 0, "the denied SYNs are counted");

        // Across hosts: a (host1) -> c (host2).
        Assert.True(fixture.Sent["a->c:5002"], "a -> c:5002 should connect");
        var crossHost = Record(Reporter.Dst, 5002);
        AssertEnds(crossHost, EndpointType.WorkloadEndpoint, "x", "a", EndpointType.WorkloadEndpoint, "x", "c");
        AssertEnforced(crossHost, FlowAction.Allow, Hit("c-rules", 0, FlowAction.Allow));
        AssertBytes(crossHost.BytesIn, "bytes_in of a -> c:5002 (destination side, host2)");
        var crossHostSource = Record(Reporter.Src, 5002);
        AssertEnforced(crossHostSource, FlowAction.Allow, Hit("a-egress", 1, FlowAction.Allow));
        AssertBytes(crossHostSource.BytesOut, "bytes_out of a -> c:5002 (source side, host1)");

        Assert.False(fixture.Sent["a->c:5012"], "a -> c:5012 should be denied");
        var crossHostDenied = Record(Reporter.Dst, 5012);
        AssertEnds(crossHostDenied, EndpointType.WorkloadEndpoint, "x", "a", EndpointType.WorkloadEndpoint, "x", "c");
        AssertEnforced(crossHostDenied, FlowAction.Deny, Hit("c-rules", 1, FlowAction.Deny));
        Assert.Contains("app=a", crossHostDenied.SourceLabels);
        Assert.Contains("app=c", crossHostDenied.DestLabels);
        Assert.True(fixture.BatchLatency <= FlowsLabFixture.Visible + TimeSpan.FromSeconds(2), $"the batch took {fixture.BatchLatency} to be listed");
    }

    [Fact]
    public void Outside_ToAndFrom_NetworkAndNetworkSetIdentities()
    {
        // Egress to the internet: the destination is the "pub" network (no endpoint, no network set).
        Assert.True(fixture.Sent["a->pub:5020"], "a -> 203.0.113.2:5020 should connect (natOutgoing)");
        var toPub = Record(Reporter.Src, 5020);
        AssertEnds(toPub, EndpointType.WorkloadEndpoint, "x", "a", EndpointType.Network, null, "pub");
        AssertEnforced(toPub, FlowAction.Allow, Hit("a-egress", 1, FlowAction.Allow));
        AssertBytes(toPub.BytesOut, "bytes_out of a -> 203.0.113.2:5020");

        // Egress to an address in a GlobalNetworkSet: the destination is the set, denied by a-egress's first rule.
        Assert.False(fixture.Sent["a->set:5021"], "a -> 203.0.113.3:5021 should be denied");
        var toSet = Record(Reporter.Src, 5021);
        AssertEnds(toSet, EndpointType.WorkloadEndpoint, "x", "a", EndpointType.NetworkSet, null, "outside-set");
        AssertEnforced(toSet, FlowAction.Deny, Hit("a-egress", 0, FlowAction.Deny));

        // Ingress from the outside to x/c (host2).
        Assert.True(fixture.Sent["pub->c:5003"], "203.0.113.2 -> c:5003 should connect");
        var fromPub = Record(Reporter.Dst, 5003);
        AssertEnds(fromPub, EndpointType.Network, null, "pub", EndpointType.WorkloadEndpoint, "x", "c");
        AssertEnforced(fromPub, FlowAction.Allow, Hit("c-rules", 2, FlowAction.Allow));
        AssertBytes(fromPub.BytesIn, "bytes_in of 203.0.113.2 -> c:5003");

        Assert.False(fixture.Sent["set->c:5013"], "203.0.113.3 -> c:5013 should be denied");
        var fromSet = Record(Reporter.Dst, 5013);
        AssertEnds(fromSet, EndpointType.NetworkSet, null, "outside-set", EndpointType.WorkloadEndpoint, "x", "c");
        AssertEnforced(fromSet, FlowAction.Deny, Hit("c-rules", 3, FlowAction.Deny));
    }

    [Fact]
    public void StagedPolicy_ThatWouldDeny_FlowStillAllowed_PendingTraceShowsTheStagedDeny()
    {
        Assert.True(fixture.Sent["a->c:5004"], "a -> c:5004 is allowed: a staged policy is never enforced");
        var flow = Record(Reporter.Dst, 5004);
        AssertEnforced(flow, FlowAction.Allow, Hit("c-rules", 4, FlowAction.Allow));
        AssertBytes(flow.BytesIn, "bytes_in of a -> c:5004");
        var pending = flow.Key.Policies.PendingPolicies;
        Assert.True(
            pending.Count > 0 && Matches(pending[^1], Hit("staged-deny-5004", 0, FlowAction.Deny, PolicyKind.StagedNetworkPolicy)),
            "the pending trace ends with staged-deny-5004 rule 0 Deny:\n" + FlowsApi.Describe([flow]));
    }

    [Fact]
    public void StagedDelete_OfAnEnforcedDeny_FlowStillDenied_PendingTraceAllows()
    {
        Assert.False(fixture.Sent["a->c:5005"], "a -> c:5005 is denied: deny-5005 is enforced until it is really deleted");
        var flow = Record(Reporter.Dst, 5005);
        AssertEnforced(flow, FlowAction.Deny, Hit("deny-5005", 0, FlowAction.Deny));
        var pending = flow.Key.Policies.PendingPolicies;
        Assert.True(
            pending.Count > 0 && Matches(pending[^1], Hit("c-rules", 6, FlowAction.Allow)) && !pending.Any(h => h.Name.EndsWith("deny-5005", StringComparison.Ordinal)),
            "without deny-5005 (stagedAction Delete) c-rules rule 6 allows:\n" + FlowsApi.Describe([flow]));
    }

    [Fact]
    public async Task CalicoctlFlows_ActionDeny_FindsTheDeniedConnectionWithItsPolicy()
    {
        // A fresh denied connection: an earlier test may have restarted the aggregator.
        Assert.False(await FlowTraffic.SendAsync(fixture.PodNetns("a"), fixture.PodEndPoint("c", 5012), 1));
        var environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["CALICO_FLOWS_SERVER"] = fixture.State().Flows!.Grpc };
        Command.Result? last = null;
        var found = await LabRunner.EventuallyAsync(
            async () =>
            {
                last = await Command.RunAsync(LabRunner.Calicoctl(), ["flows", "--action", "Deny", "--since", "1m"], environment);
                return last.ExitCode == 0 && last.Output.Contains("c-rules", StringComparison.Ordinal) && last.Output.Contains("5012", StringComparison.Ordinal);
            },
            FlowsLabFixture.Visible);
        Assert.True(found, $"calicoctl flows --action Deny --since 1m shows no denied x/a -> x/c:5012 by c-rules (exit {last?.ExitCode}):\n{last?.Output}\n{last?.Error}");
        Assert.DoesNotContain("5002/tcp", last!.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AggregatorRestart_NodesKeepRunning_ReconnectAndNewFlowsArrive()
    {
        await LabFlows.KillAggregatorAsync(fixture.Layout, CancellationToken.None);
        await LabFlows.StartAggregatorAgainAsync(fixture.Layout, CancellationToken.None);
        Assert.True(DetachedProcess.IsRunning(fixture.State().Flows!.Aggregator!), "the aggregator runs again");

        Assert.True(await FlowTraffic.SendAsync(fixture.PodNetns("a"), fixture.PodEndPoint("c", 5120), 4096));
        using var api = fixture.Api();
        // Reconnection (calico-node's back-off) may take a few seconds beyond the flush interval.
        var flows = await api.PollAsync(l => l.Any(f => f.Key.DestPort == 5120 && f.Key.Reporter == Reporter.Dst), DateTime.UtcNow + FlowsLabFixture.Visible + TimeSpan.FromSeconds(10));
        Assert.True(flows.Any(f => f.Key.DestPort == 5120 && f.Key.Reporter == Reporter.Dst), "no flow to c:5120 after the aggregator restarted:\n" + FlowsApi.Describe(flows));
        foreach (var host in fixture.State().Hosts)
        {
            Assert.True(DetachedProcess.IsRunning(host.Node!), $"calico-node on {host.Name} survived the aggregator's restart");
        }
    }

    [Fact]
    public async Task NodeRestart_FlowsResumeFromThatHost()
    {
        await LabNodes.RestartAsync(fixture.Layout, "host2", CancellationToken.None);
        var ready = DateTime.UtcNow;
        var delivered = await LabRunner.EventuallyAsync(() => FlowTraffic.SendAsync(fixture.PodNetns("a"), fixture.PodEndPoint("c", 5121), 4096), CrossHostFixture.Converge);
        Assert.True(delivered, "a -> c:5121 does not connect after host2's calico-node restarted");
        using var api = fixture.Api();
        var flows = await api.PollAsync(l => l.Any(f => f.Key.DestPort == 5121 && f.Key.Reporter == Reporter.Dst), DateTime.UtcNow + FlowsLabFixture.Visible);
        var flow = Assert.Single(flows, f => f.Key.DestPort == 5121 && f.Key.Reporter == Reporter.Dst);
        AssertEnforced(flow, FlowAction.Allow, Hit("c-rules", 7, FlowAction.Allow));
        Assert.True(DetachedProcess.IsRunning(fixture.State().Flows!.Aggregator!), "the aggregator survived");
        Assert.True(DateTime.UtcNow - ready < TimeSpan.FromMinutes(2));
    }

    [Fact]
    public async Task DeniedUdpFlood_RateLimitedAndCounted_OneAggregatedRecord_NodeStaysReady()
    {
        var host2 = LabLayout.NetnsPath(fixture.Lab.Netns("host2"));
        var before = await NodeMetrics.ScrapeAsync(host2);
        foreach (var family in FlowMetricFamilies)
        {
            Assert.True(before.ContainsKey(family), $"calico-node's /metrics on host2 has no {family}");
        }

        // Every denied datagram is a new connection to conntrack, so each one is logged: 2 sockets x 150,000 in a
        // burst, past the collector's token bucket (20,000 packets/s, burst 20,000) unless sending runs below about
        // 22,000 packets/s (the message says how long it took).
        const int PerSocket = 150_000;
        const int Sent = 2 * PerSocket;
        var target = fixture.PodEndPoint("c", 9999);
        var durations = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => FlowTraffic.FloodUdpAsync(fixture.PodNetns("a"), target, PerSocket, 32)));

        // Counted: every logged packet is either in the flow's record or counted as rate-limited (or lost to the
        // kernel's queue, counted as an overflow). Polled until the record holds every processed packet.
        using var api = fixture.Api();
        bool Flooded(Flow f) => f.Key.DestPort == 9999 && f.Key.Reporter == Reporter.Dst && string.Equals(f.Key.Proto, "udp", StringComparison.OrdinalIgnoreCase);
        IReadOnlyDictionary<string, double> after = before;
        double Delta(string family) => after.GetValueOrDefault(family) - before.GetValueOrDefault(family);
        IReadOnlyList<Flow> flows = [];
        var deadline = DateTime.UtcNow + FlowsLabFixture.Visible;
        while (true)
        {
            after = await NodeMetrics.ScrapeAsync(host2);
            flows = await api.PollAsync(_ => true, DateTime.UtcNow);
            var processed = Delta("felix_flow_logs_nflog_packets_received") - Delta("felix_flow_logs_nflog_packets_rate_limited");
            if ((processed > 0 && flows.Where(Flooded).Sum(f => f.PacketsIn) >= processed) || DateTime.UtcNow >= deadline)
            {
                break;
            }

            await Task.Delay(1000);
        }

        var records = flows.Where(Flooded).ToList();
        Assert.True(records.Count == 1, $"one aggregated record for the flood, found {records.Count}:\n{FlowsApi.Describe(flows)}");
        var flood = records[0];
        AssertEnds(flood, EndpointType.WorkloadEndpoint, "x", "a", EndpointType.WorkloadEndpoint, "x", "c");
        AssertEnforced(flood, FlowAction.Deny, Hit("c-rules", 5, FlowAction.Deny));

        var received = Delta("felix_flow_logs_nflog_packets_received");
        var limited = Delta("felix_flow_logs_nflog_packets_rate_limited");
        var overflows = Delta("felix_flow_logs_nflog_overflows");
        var counts = $"sent {Sent} in {durations.Max().TotalSeconds:0.0} s, received {received}, rate-limited {limited}, kernel overflows {overflows}, record packets_in {flood.PacketsIn}";
        Assert.True(limited > 0 || overflows > 0, "the flood is bounded: packets were rate-limited or lost in the kernel's queue, and counted; " + counts);
        Assert.True(received <= Sent, "no packet is read twice; " + counts);
        Assert.True(flood.PacketsIn == received - limited, "every processed packet is in the one record, every other one counted as rate-limited; " + counts);
        // One probe has 2 s to answer; on a loaded 2-core machine the flood's tail can delay answers (one CI run with
        // AOT builds beside it missed three probes over ~10 s), so the node gets six probes over about 25 s: what must
        // not happen is a crash or a lasting not-ready.
        var ready = false;
        for (var probe = 0; probe < 6 && !ready; probe++)
        {
            ready = await NodeReadiness.IsReadyAsync(host2, CancellationToken.None);
            if (!ready)
            {
                await Task.Delay(TimeSpan.FromSeconds(3));
            }
        }

        Assert.True(ready, "host2's calico-node answers ready after the flood (6 probes over ~25 s)");
    }

    /// <summary>calico-node's flow-log counters (Calico.Observability's FlowLogMetrics).</summary>
    private static readonly string[] FlowMetricFamilies =
    [
        "felix_flow_logs_flushed", "felix_flow_logs_nflog_packets_received", "felix_flow_logs_nflog_packets_rate_limited",
        "felix_flow_logs_nflog_overflows", "felix_flow_logs_goldmane_flows_sent",
    ];

    private Flow Record(Reporter reporter, int port, string proto = "tcp")
    {
        var matching = fixture.Batch.Where(f => f.Key.Reporter == reporter && f.Key.DestPort == port && string.Equals(f.Key.Proto, proto, StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(
            matching.Count == 1,
            $"expected one {reporter} record for {proto}/{port} within {FlowsLabFixture.Visible.TotalSeconds} s, found {matching.Count}; the aggregator lists:\n{FlowsApi.Describe(fixture.Batch)}");
        return matching[0];
    }

    private static void AssertEnds(Flow flow, EndpointType sourceType, string? sourceNamespace, string sourceName, EndpointType destType, string? destNamespace, string destName)
    {
        var k = flow.Key;
        var why = "\n" + FlowsApi.Describe([flow]);
        Assert.True(k.SourceType == sourceType && k.SourceName == sourceName, $"source should be {sourceType} {sourceName}" + why);
        Assert.True(k.DestType == destType && k.DestName == destName, $"destination should be {destType} {destName}" + why);
        Assert.True(sourceNamespace is null || k.SourceNamespace == sourceNamespace, $"source namespace should be {sourceNamespace}" + why);
        Assert.True(destNamespace is null || k.DestNamespace == destNamespace, $"destination namespace should be {destNamespace}" + why);
    }

    private static void AssertEnforced(Flow flow, FlowAction action, PolicyHit expected)
    {
        var why = "\n" + FlowsApi.Describe([flow]);
        Assert.True(flow.Key.Action == action, $"action should be {action}" + why);
        var hits = flow.Key.Policies?.EnforcedPolicies ?? [];
        Assert.True(hits.Count == 1 && Matches(hits[0], expected), $"the enforced trace should be [{FlowsApi.Trace([expected])}]" + why);
    }

    /// <summary>Within 5 % of what the sender sent (headers make the wire count a little larger).</summary>
    private static void AssertBytes(long measured, string what)
    {
        var sent = (double)FlowsLabFixture.TransferBytes;
        Assert.True(Math.Abs(measured - sent) <= 0.05 * sent, $"{what}: {measured}, the sender sent {sent} (5 % tolerance)");
    }

    private static PolicyHit Hit(string name, long ruleIndex, FlowAction action, PolicyKind kind = PolicyKind.CalicoNetworkPolicy) =>
        new() { Kind = kind, Tier = Tier, Namespace = "x", Name = name, RuleIndex = ruleIndex, Action = action };

    private static bool Matches(PolicyHit actual, PolicyHit expected) =>
        actual.Kind == expected.Kind && actual.Tier == expected.Tier && actual.Namespace == expected.Namespace && actual.Name == expected.Name
        && actual.RuleIndex == expected.RuleIndex && actual.Action == expected.Action;
}
