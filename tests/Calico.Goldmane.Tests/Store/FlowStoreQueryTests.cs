using Calico.Goldmane.Api;
using MatchType = Calico.Goldmane.Api.MatchType;
using FlowAction = Calico.Goldmane.Api.Action;

namespace Calico.Goldmane.Tests.Store;

[Trait("Tier", "Unit")]
public sealed class FlowStoreQueryTests
{
    private static StringMatch Exact(string value) => new() { Value = value, Type = MatchType.Exact };

    private static StringMatch Fuzzy(string value) => new() { Value = value, Type = MatchType.Fuzzy };

    /// <summary>Five flows: web (allow, staged deny pending), db (deny), pub egress, a Src-reported one, udp dns.</summary>
    private static StoreHarness Populated()
    {
        var h = new StoreHarness();
        long t = h.Now;
        h.Store.Ingest(TestFlows.Make(source: "frontend-", dest: "web-", destNamespace: "shop", port: 80, start: t,
            pending: [TestFlows.Hit("default", "staged-deny", FlowAction.Deny, PolicyKind.StagedNetworkPolicy, "shop")]), "n1");
        h.Advance(15);
        h.Store.Ingest(TestFlows.Make(source: "web-", sourceNamespace: "shop", dest: "db-", destNamespace: "data", port: 5432, action: FlowAction.Deny, start: t + 15,
            enforced: [TestFlows.Hit("security", "db-lockdown", FlowAction.Deny, PolicyKind.GlobalNetworkPolicy, "", 1)]), "n1");
        h.Advance(15);
        h.Store.Ingest(TestFlows.Make(source: "web-", sourceNamespace: "shop", dest: "pub", destNamespace: "", port: 443, destType: EndpointType.Network, start: t + 30,
            enforced:
            [
                TestFlows.Hit("platform", "platform", FlowAction.Pass, PolicyKind.EndOfTier, "", -1, TestFlows.Hit("platform", "egress-gate", FlowAction.Pass, PolicyKind.GlobalNetworkPolicy, "")),
                TestFlows.Hit("__PROFILE__", "kns.shop", FlowAction.Allow, PolicyKind.Profile, ""),
            ]), "n1");
        h.Advance(15);
        h.Store.Ingest(TestFlows.Make(source: "frontend-", dest: "web-", destNamespace: "shop", port: 80, reporter: Reporter.Src, start: t + 45), "n1");
        h.Advance(15);
        h.Store.Ingest(TestFlows.Make(source: "app-", dest: "coredns-", destNamespace: "kube-system", port: 53, proto: "udp", start: t + 60), "n2");
        h.Advance(15);
        return h;
    }

    private static List<string> Names(FlowListResult result) =>
        [.. result.Flows.Select(f => $"{f.Flow.Key.SourceName}>{f.Flow.Key.DestName}:{f.Flow.Key.DestPort}/{f.Flow.Key.Reporter}")];

    private static List<string> ListWith(StoreHarness h, Filter filter) =>
        [.. h.Store.List(new FlowListRequest { Filter = filter }).Flows.Select(f => f.Flow.Key.DestName).Order(StringComparer.Ordinal)];

    [Fact]
    public void DefaultOrderIsNewestFirst()
    {
        var h = Populated();

        Assert.Equal(
            ["app->coredns-:53/Dst", "frontend->web-:80/Src", "web->pub:443/Dst", "web->db-:5432/Dst", "frontend->web-:80/Dst"],
            Names(h.Store.List(new FlowListRequest())));
    }

    [Fact]
    public void EveryFilterFieldNarrows()
    {
        var h = Populated();

        Assert.Equal(["db-"], ListWith(h, new Filter { DestNames = { Exact("db-") } }));
        Assert.Equal(["coredns-"], ListWith(h, new Filter { DestNames = { Fuzzy("dns") } }));
        Assert.Equal(["pub"], ListWith(h, new Filter { DestNames = { Exact("PUBLIC NETWORK") } }));
        Assert.Equal(["db-", "pub"], ListWith(h, new Filter { SourceNames = { Exact("web-") } }));
        Assert.Equal(["db-", "pub"], ListWith(h, new Filter { SourceNamespaces = { Exact("shop") } }));
        Assert.Equal(["web-", "web-"], ListWith(h, new Filter { DestNamespaces = { Exact("shop") } }));
        Assert.Equal(["coredns-", "web-", "web-"], ListWith(h, new Filter { DestNamespaces = { Exact("shop"), Fuzzy("kube") } }));
        Assert.Equal(["coredns-"], ListWith(h, new Filter { Protocols = { Exact("udp") } }));
        Assert.Equal(["db-", "pub"], ListWith(h, new Filter { DestPorts = { new PortMatch { Port = 5432 }, new PortMatch { Port = 443 } } }));
        Assert.Equal(["db-"], ListWith(h, new Filter { Actions = { FlowAction.Deny } }));
        Assert.Equal(["web-"], ListWith(h, new Filter { Reporter = Reporter.Src }));
        Assert.Equal(["web-"], ListWith(h, new Filter { PendingActions = { FlowAction.Deny } }));
        Assert.Equal(["web-", "web-"], ListWith(h, new Filter { DestNames = { Exact("web-") }, SourceNames = { Exact("frontend-") } }));
        Assert.Empty(ListWith(h, new Filter { DestNames = { Exact("web") } })); // Exact is not a prefix
    }

    [Fact]
    public void PolicyFilterMatchesEnforcedAndPendingHits()
    {
        var h = Populated();

        Assert.Equal(["web-"], ListWith(h, new Filter { Policies = { new PolicyMatch { Name = Exact("staged-deny"), Kind = PolicyKind.StagedNetworkPolicy } } }));
        Assert.Equal(["db-"], ListWith(h, new Filter { Policies = { new PolicyMatch { Tier = Exact("security"), Action = FlowAction.Deny } } }));
        Assert.Empty(ListWith(h, new Filter { Policies = { new PolicyMatch { Tier = Exact("security"), Action = FlowAction.Allow } } }));
        Assert.Equal(["pub"], ListWith(h, new Filter { Policies = { new PolicyMatch { Kind = PolicyKind.EndOfTier, Tier = Fuzzy("plat") } } }));
        Assert.Equal(["db-", "web-"], ListWith(h, new Filter
        {
            Policies = { new PolicyMatch { Name = Exact("db-lockdown") }, new PolicyMatch { Name = Exact("staged-deny") } },
        }));
    }

    [Fact]
    public void SortOptionsOrderTheResults()
    {
        var h = Populated();

        var bySource = h.Store.List(new FlowListRequest { SortBy = { new SortOption { SortBy = SortBy.SourceName } } });
        Assert.Equal(["app-", "frontend-", "frontend-", "web-", "web-"], bySource.Flows.Select(f => f.Flow.Key.SourceName));
        var byDestNs = h.Store.List(new FlowListRequest { SortBy = { new SortOption { SortBy = SortBy.DestNamespace }, new SortOption { SortBy = SortBy.DestName } } });
        Assert.Equal(["pub", "db-", "coredns-", "web-", "web-"], byDestNs.Flows.Select(f => f.Flow.Key.DestName));
        var byType = h.Store.List(new FlowListRequest { SortBy = { new SortOption { SortBy = SortBy.DestType } } });
        Assert.Equal("pub", byType.Flows[^1].Flow.Key.DestName);
        var byTime = h.Store.List(new FlowListRequest());
        Assert.Equal(byTime.Flows.Select(f => f.Flow.StartTime).OrderDescending(), byTime.Flows.Select(f => f.Flow.StartTime));
        Assert.Equal("coredns-", byTime.Flows[0].Flow.Key.DestName);
    }

    [Fact]
    public void PagesCarryTheTotals()
    {
        var h = Populated();
        var request = new FlowListRequest { PageSize = 2, SortBy = { new SortOption { SortBy = SortBy.SourceName } } };

        var first = h.Store.List(request);
        request.Page = 2;
        var last = h.Store.List(request);
        request.Page = 3;
        var beyond = h.Store.List(request);

        Assert.Equal((3L, 5L), (first.Meta.TotalPages, first.Meta.TotalResults));
        Assert.Equal(["app-", "frontend-"], first.Flows.Select(f => f.Flow.Key.SourceName));
        Assert.Equal("web-", Assert.Single(last.Flows).Flow.Key.SourceName);
        Assert.Empty(beyond.Flows);
        Assert.Equal(5, beyond.Meta.TotalResults);
        Assert.Throws<ArgumentException>(() => h.Store.List(new FlowListRequest { PageSize = -1 }));
    }

    [Fact]
    public void TimeRangeIsAbsoluteOrRelativeAndValidated()
    {
        var h = Populated();
        long t = StoreHarness.Start;

        Assert.Equal(["db-", "pub"], h.Store.List(new FlowListRequest { StartTimeGte = t + 15, StartTimeLt = t + 45 }).Flows
            .Select(f => f.Flow.Key.DestName).Order(StringComparer.Ordinal));
        Assert.Equal(["coredns-", "web-"], h.Store.List(new FlowListRequest { StartTimeGte = -30 }).Flows
            .Select(f => f.Flow.Key.DestName).Order(StringComparer.Ordinal));
        Assert.Equal(5, h.Store.List(new FlowListRequest { StartTimeGte = 0, StartTimeLt = 0 }).Flows.Count);
        var error = Assert.Throws<ArgumentException>(() => h.Store.List(new FlowListRequest { StartTimeGte = t + 30, StartTimeLt = t + 30 }));
        Assert.Contains("start_time_gte", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AggregationIntervalSplitsResultsBySlot()
    {
        var h = new StoreHarness();
        h.Store.Ingest(TestFlows.Make(start: h.Now, packets: 1), "n1");
        h.Store.Ingest(TestFlows.Make(start: h.Now + 15, packets: 2), "n1");
        h.Advance(30);
        h.Store.Ingest(TestFlows.Make(start: h.Now, packets: 4), "n1");
        h.Advance(20);

        Assert.Equal(7, Assert.Single(h.Store.List(new FlowListRequest()).Flows).Flow.PacketsIn);
        var slots = h.Store.List(new FlowListRequest { AggregationInterval = 30, StartTimeGte = StoreHarness.Start });
        Assert.Equal([4L, 3L], slots.Flows.Select(f => f.Flow.PacketsIn));
        Assert.Single(slots.Flows.Select(f => f.Id).Distinct());
        var error = Assert.Throws<ArgumentException>(() => h.Store.List(new FlowListRequest { AggregationInterval = 7 }));
        Assert.Contains("aggregation_interval: 7", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FilterHintsListDistinctValuesNarrowedAndPaged()
    {
        var h = Populated();

        List<string> Hints(FilterType type, Filter? filter = null, long pageSize = 0, long page = 0) =>
            [.. h.Store.FilterHints(new FilterHintsRequest { Type = type, Filter = filter, PageSize = pageSize, Page = page }).Hints.Select(x => x.Value)];

        Assert.Equal(["coredns-", "db-", "pub", "web-"], Hints(FilterType.DestName));
        Assert.Equal(["app-", "frontend-", "web-"], Hints(FilterType.SourceName));
        Assert.Equal(["", "data", "kube-system", "shop"], Hints(FilterType.DestNamespace));
        Assert.Equal(["default", "shop"], Hints(FilterType.SourceNamespace));
        Assert.Equal(["db-", "pub"], Hints(FilterType.DestName, new Filter { SourceNamespaces = { Exact("shop") } }));
        Assert.Equal(["default", "platform", "security"], Hints(FilterType.PolicyTier)); // the profile's "__PROFILE__" is skipped
        Assert.Equal(["allow-web", "db-lockdown", "egress-gate", "staged-deny"], Hints(FilterType.PolicyName)); // EndOfTier gives its trigger
        Assert.Equal(["CalicoNetworkPolicy", "GlobalNetworkPolicy", "StagedNetworkPolicy"], Hints(FilterType.PolicyKind));
        Assert.Equal(["", "default", "shop"], Hints(FilterType.PolicyNamespace));
        Assert.Equal(["pub", "web-"], Hints(FilterType.DestName, pageSize: 2, page: 1));
        var meta = h.Store.FilterHints(new FilterHintsRequest { Type = FilterType.DestName, PageSize = 3 }).Meta;
        Assert.Equal((2L, 4L), (meta.TotalPages, meta.TotalResults));
        Assert.Throws<ArgumentException>(() => h.Store.FilterHints(new FilterHintsRequest { Type = FilterType.Unspecified }));
    }
}
