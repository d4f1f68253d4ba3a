using Calico.Goldmane.Api;
using Calico.Goldmane.Store;
using FlowAction = Calico.Goldmane.Api.Action;

namespace Calico.Goldmane.Tests.Store;

[Trait("Tier", "Unit")]
public sealed class FlowStoreIngestTests
{
    [Fact]
    public void ResendBySameNodeIsIgnoredAndSameKeyFromAnotherNodeAddsUp()
    {
        var h = new StoreHarness();
        var flow = TestFlows.Make(start: h.Now, packets: 10);

        Assert.Equal(IngestOutcome.Added, h.Store.Ingest(flow.Clone(), "10.0.0.1"));
        Assert.Equal(IngestOutcome.Duplicate, h.Store.Ingest(flow.Clone(), "10.0.0.1"));
        Assert.Equal(IngestOutcome.Added, h.Store.Ingest(flow.Clone(), "10.0.0.2"));

        var listed = Assert.Single(h.Store.List(new FlowListRequest()).Flows);
        Assert.Equal(20, listed.Flow.PacketsIn);
        Assert.Contains("goldmane_collector_duplicate_flows_total 1", h.MetricsText(), StringComparison.Ordinal);
    }

    [Fact]
    public void ResendIsCountedAgainAfterTheDedupeExpiry()
    {
        var h = new StoreHarness(new FlowStoreOptions { DedupeExpiry = TimeSpan.FromSeconds(30) });
        var flow = TestFlows.Make(start: h.Now);
        h.Store.Ingest(flow.Clone(), "n1");
        h.Advance(45);

        Assert.Equal(IngestOutcome.Added, h.Store.Ingest(flow.Clone(), "n1"));
    }

    [Fact]
    public void WindowsOfOneKeyAggregateAndLabelsIntersect()
    {
        var h = new StoreHarness();
        h.Store.Ingest(TestFlows.Make(start: h.Now, packets: 3, sourceLabels: ["app=client", "tier=a"]), "n1");
        h.Store.Ingest(TestFlows.Make(start: h.Now + 16, packets: 4, sourceLabels: ["app=client", "tier=b"]), "n1");
        h.Advance(40);

        var flow = Assert.Single(h.Store.List(new FlowListRequest()).Flows).Flow;

        Assert.Equal(7, flow.PacketsIn);
        Assert.Equal(StoreHarness.Start, flow.StartTime);
        Assert.Equal(StoreHarness.Start + 30, flow.EndTime);
        Assert.Equal(["app=client"], flow.SourceLabels);
    }

    [Fact]
    public void RolloverForgetsFlowsOlderThanTheHistory()
    {
        var h = new StoreHarness(new FlowStoreOptions { BucketSeconds = 15, BucketCount = 6 }); // 4 buckets of history
        h.Store.Ingest(TestFlows.Make(source: "old-", start: h.Now), "n1");
        h.Advance(30);
        h.Store.Ingest(TestFlows.Make(source: "new-", start: h.Now), "n1");
        Assert.Equal(2, h.Store.Count);

        h.Advance(45); // the first bucket leaves the ring

        Assert.Equal(1, h.Store.Count);
        Assert.Equal("new-", Assert.Single(h.Store.List(new FlowListRequest()).Flows).Flow.Key.SourceName);
        Assert.Equal(StoreHarness.Start + 15, h.Store.BeginningOfHistory);
    }

    [Fact]
    public void FlowOutsideTheKeptWindowIsDroppedAndCounted()
    {
        var h = new StoreHarness(new FlowStoreOptions { BucketCount = 6 });

        Assert.Equal(IngestOutcome.OutOfWindow, h.Store.Ingest(TestFlows.Make(start: h.Now - 3600), "n1"));
        Assert.Equal(IngestOutcome.OutOfWindow, h.Store.Ingest(TestFlows.Make(start: h.Now + 3600), "n1"));
        Assert.Equal(IngestOutcome.Added, h.Store.Ingest(TestFlows.Make(start: h.Now + 20), "n1")); // the bucket ahead, for clock skew

        Assert.Contains("goldmane_aggr_dropped_flows_total{reason=\"out_of_window\"} 2", h.MetricsText(), StringComparison.Ordinal);
    }

    [Fact]
    public void NewKeysBeyondTheCapAreDroppedAndCountedWhileKnownKeysStillAggregate()
    {
        var h = new StoreHarness(new FlowStoreOptions { MaxFlows = 2 });
        h.Store.Ingest(TestFlows.Make(source: "a-", start: h.Now), "n1");
        h.Store.Ingest(TestFlows.Make(source: "b-", start: h.Now), "n1");

        Assert.Equal(IngestOutcome.OverCapacity, h.Store.Ingest(TestFlows.Make(source: "c-", start: h.Now), "n1"));
        Assert.Equal(IngestOutcome.Added, h.Store.Ingest(TestFlows.Make(source: "a-", start: h.Now, end: h.Now + 5), "n1"));

        Assert.Equal(2, h.Store.Count);
        string metrics = h.MetricsText();
        Assert.Contains("goldmane_aggr_dropped_flows_total{reason=\"max_flows\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("goldmane_aggr_num_unique_flows 2", metrics, StringComparison.Ordinal);
        Assert.Contains("goldmane_aggr_received_flows_total 4", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public void DenyFlowKeepsItsActionAndTrace()
    {
        var h = new StoreHarness();
        var deny = TestFlows.Make(action: FlowAction.Deny, start: h.Now, enforced: [TestFlows.Hit("security", "deny-all", FlowAction.Deny, rule: 2)]);
        h.Store.Ingest(deny, "n1");

        var key = Assert.Single(h.Store.List(new FlowListRequest()).Flows).Flow.Key;
        Assert.Equal(FlowAction.Deny, key.Action);
        var hit = Assert.Single(key.Policies.EnforcedPolicies);
        Assert.Equal(("security", "deny-all", 2L), (hit.Tier, hit.Name, hit.RuleIndex));
    }
}
