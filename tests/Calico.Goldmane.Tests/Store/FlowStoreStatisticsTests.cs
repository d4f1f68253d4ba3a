using Calico.Goldmane.Api;
using FlowAction = Calico.Goldmane.Api.Action;

namespace Calico.Goldmane.Tests.Store;

[Trait("Tier", "Unit")]
public sealed class FlowStoreStatisticsTests
{
    private static StoreHarness Populated()
    {
        var h = new StoreHarness();
        long t = h.Now;
        var allow = TestFlows.Hit("default", "allow-web", FlowAction.Allow, rule: 0);
        // Ingress (Dst reporter) allowed by rule 0, twice in two buckets; egress (Src) allowed; a deny by rule 1.
        h.Store.Ingest(TestFlows.Make(start: t, packets: 5, bytes: 500, enforced: [allow]), "n1");
        h.Store.Ingest(TestFlows.Make(start: t + 15, packets: 7, bytes: 700, enforced: [allow]), "n1");
        h.Store.Ingest(TestFlows.Make(reporter: Reporter.Src, start: t + 15, packets: 1, bytes: 100, enforced: [allow]), "n1");
        h.Store.Ingest(TestFlows.Make(source: "evil-", action: FlowAction.Deny, start: t + 15, packets: 3, bytes: 300,
            enforced: [TestFlows.Hit("default", "allow-web", FlowAction.Deny, rule: 1)],
            pending: [TestFlows.Hit("default", "staged-x", FlowAction.Deny, PolicyKind.StagedNetworkPolicy)]), "n1");
        h.Advance(40);
        return h;
    }

    [Fact]
    public void GroupByPolicySumsPacketsByActionAndDirection()
    {
        var h = Populated();

        var results = h.Store.Statistics(new StatisticsRequest { Type = StatisticType.PacketCount, GroupBy = StatisticsGroupBy.Policy });

        Assert.Equal(["allow-web", "staged-x"], results.Select(r => r.Policy.Name));
        var web = results[0];
        Assert.Equal([13L], web.AllowedIn);   // 5 + 7 + 1: packets in, whichever side reported
        Assert.Equal([13L], web.AllowedOut);  // each test flow has the same count both ways
        Assert.Equal([3L], web.DeniedIn);
        Assert.Equal([0L], web.PassedIn);
        Assert.Equal(RuleDirection.Any, web.Direction);
        Assert.Empty(web.X);
    }

    [Fact]
    public void GroupByRuleSplitsActionIndexAndDirection()
    {
        var h = Populated();

        var results = h.Store.Statistics(new StatisticsRequest
        {
            Type = StatisticType.ByteCount,
            GroupBy = StatisticsGroupBy.PolicyRule,
            PolicyMatch = new PolicyMatch { Name = new StringMatch { Value = "allow-web" } },
        });

        Assert.Equal(
            [(FlowAction.Allow, 0L, RuleDirection.Ingress, 1200L, 0L), (FlowAction.Allow, 0L, RuleDirection.Egress, 100L, 0L), (FlowAction.Deny, 1L, RuleDirection.Ingress, 0L, 300L)],
            results.Select(r => (r.Policy.Action, r.Policy.RuleIndex, r.Direction, r.AllowedIn.Single(), r.DeniedIn.Single())));
    }

    [Fact]
    public void TimeSeriesGivesOnePointPerBucketWithData()
    {
        var h = Populated();

        var web = h.Store.Statistics(new StatisticsRequest { GroupBy = StatisticsGroupBy.Policy, TimeSeries = true, StartTimeGte = StoreHarness.Start })[0];

        Assert.Equal([StoreHarness.Start, StoreHarness.Start + 15], web.X);
        Assert.Equal([5L, 8L], web.AllowedIn);
    }

    [Fact]
    public void LiveConnectionsCountOnTheReportersSide()
    {
        var h = Populated();

        var web = h.Store.Statistics(new StatisticsRequest { Type = StatisticType.LiveConnectionCount, PolicyMatch = new PolicyMatch { Action = FlowAction.Deny } });

        // Policy grouping ignores the action match for the policy total (a policy has no single action).
        Assert.Equal(2, web.Count);
        Assert.Equal([2L], web[0].AllowedIn);
        Assert.Equal([1L], web[0].AllowedOut);
        Assert.Throws<ArgumentException>(() => h.Store.Statistics(new StatisticsRequest { StartTimeGte = -5, StartTimeLt = -10 }));
    }
}
