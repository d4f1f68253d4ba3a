using System.Net;
using Calico.Goldmane.Tests.Upstream;
using Grpc.Core;
using UpstreamAction = Calico.Goldmane.Tests.Upstream.Action;

namespace Calico.Goldmane.Tests.Process;

/// <summary>One goldmane process (1 s buckets) with three flows connected once; each test queries it through upstream's proto.</summary>
public sealed class GoldmaneApiFixture : IAsyncLifetime
{
    public GoldmaneProcess Goldmane { get; } = new("--window", "1s", "--buckets", "182");

    public long Start { get; } = UpstreamFlows.Now - 2;

    public async Task InitializeAsync() => await Goldmane.ConnectAndSendAsync(
        UpstreamFlows.Make("frontend-", "web-", "shop", 80, UpstreamAction.Allow, Start, packets: 5,
            pending: new PolicyHit { Kind = PolicyKind.StagedNetworkPolicy, Tier = "default", Namespace = "shop", Name = "staged-deny", Action = UpstreamAction.Deny }),
        UpstreamFlows.Make("attacker-", "db-", "data", 5432, UpstreamAction.Deny, Start, packets: 3, policy: "db-lockdown"),
        UpstreamFlows.Make("batch-", "web-", "shop", 8080, UpstreamAction.Allow, Start, packets: 7));

    public Task DisposeAsync()
    {
        Goldmane.Dispose();
        return Task.CompletedTask;
    }
}

[Trait("Tier", "Root")]
public sealed class GoldmaneApiProcessTests(GoldmaneApiFixture fixture) : IClassFixture<GoldmaneApiFixture>
{
    private GoldmaneProcess Goldmane => fixture.Goldmane;

    [Fact]
    public async Task ListFiltersAndSortsTheConnectedFlows()
    {
        // The fixture's flows (the stream test adds its own in namespace "streamed").
        var fixtureOnly = new Filter { DestNamespaces = { new StringMatch { Value = "shop" }, new StringMatch { Value = "data" } } };
        var all = await Goldmane.Flows.ListAsync(new FlowListRequest { Filter = fixtureOnly });
        Assert.Equal(3, all.Meta.TotalResults);

        var shop = await Goldmane.Flows.ListAsync(new FlowListRequest
        {
            Filter = new Filter { DestNamespaces = { new StringMatch { Value = "shop" } } },
            SortBy = { new SortOption { SortBy = SortBy.SourceName } },
        });
        Assert.Equal(["batch-", "frontend-"], shop.Flows.Select(f => f.Flow.Key.SourceName));
        Assert.Equal(5, shop.Flows[1].Flow.PacketsIn);
        Assert.Equal(["app=frontend"], shop.Flows[1].Flow.SourceLabels);

        var denied = await Goldmane.Flows.ListAsync(new FlowListRequest { Filter = new Filter { Actions = { UpstreamAction.Deny } } });
        var deny = Assert.Single(denied.Flows).Flow;
        Assert.Equal(("db-", "db-lockdown"), (deny.Key.DestName, deny.Key.Policies.EnforcedPolicies[0].Name));

        var pendingDeny = await Goldmane.Flows.ListAsync(new FlowListRequest { Filter = new Filter { PendingActions = { UpstreamAction.Deny } } });
        Assert.Equal("frontend-", Assert.Single(pendingDeny.Flows).Flow.Key.SourceName);

        var paged = await Goldmane.Flows.ListAsync(new FlowListRequest { Filter = fixtureOnly, PageSize = 2, Page = 1, SortBy = { new SortOption { SortBy = SortBy.DestName } } });
        Assert.Equal((2L, 3L), (paged.Meta.TotalPages, paged.Meta.TotalResults));
        Assert.Equal("web-", Assert.Single(paged.Flows).Flow.Key.DestName);
    }

    [Fact]
    public async Task BadRequestIsInvalidArgumentNamingTheField()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await Goldmane.Flows.ListAsync(new FlowListRequest { StartTimeGte = -10, StartTimeLt = -20 }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("start_time_gte", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamReceivesANewFlow()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var stream = Goldmane.Flows.Stream(new FlowStreamRequest { Filter = new Filter { SourceNames = { new StringMatch { Value = "streamed-" } } } }, cancellationToken: cancel.Token);
        // The server registers the stream when the call arrives; give it a moment before sending.
        await Task.Delay(300, cancel.Token);
        await Goldmane.ConnectAndSendAsync(UpstreamFlows.Make("streamed-", "web-", "streamed", 80, UpstreamAction.Allow, UpstreamFlows.Now, packets: 11));

        Assert.True(await stream.ResponseStream.MoveNext(cancel.Token));
        Assert.Equal(("streamed-", 11L), (stream.ResponseStream.Current.Flow.Key.SourceName, stream.ResponseStream.Current.Flow.PacketsIn));
        Assert.True(stream.ResponseStream.Current.Id > 0);
    }

    [Fact]
    public async Task FilterHintsListValuesNarrowedByTheFilter()
    {
        var names = await Goldmane.Flows.FilterHintsAsync(new FilterHintsRequest { Type = FilterType.DestName });
        Assert.Contains("db-", names.Hints.Select(h => h.Value));
        Assert.Contains("web-", names.Hints.Select(h => h.Value));

        var sources = await Goldmane.Flows.FilterHintsAsync(new FilterHintsRequest
        {
            Type = FilterType.SourceName,
            Filter = new Filter { DestNames = { new StringMatch { Value = "db-" } } },
        });
        Assert.Equal(["attacker-"], sources.Hints.Select(h => h.Value));

        var policies = await Goldmane.Flows.FilterHintsAsync(new FilterHintsRequest { Type = FilterType.PolicyName, PageSize = 1 });
        Assert.Equal(3, policies.Meta.TotalResults); // allow-web, db-lockdown, staged-deny
        Assert.Equal("allow-web", Assert.Single(policies.Hints).Value);
    }

    [Fact]
    public async Task StatisticsCountPacketsPerPolicy()
    {
        using var call = Goldmane.Statistics.List(new StatisticsRequest { Type = StatisticType.PacketCount, GroupBy = StatisticsGroupBy.Policy, StartTimeGte = fixture.Start });
        var results = new List<StatisticsResult>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            results.Add(call.ResponseStream.Current);
        }

        var lockdown = Assert.Single(results, r => r.Policy.Name == "db-lockdown");
        Assert.Equal([3L], lockdown.DeniedIn);
        var web = Assert.Single(results, r => r.Policy.Name == "allow-web" && r.Policy.Namespace == "shop");
        Assert.Equal([12L], web.AllowedIn);
        var staged = Assert.Single(results, r => r.Policy.Name == "staged-deny");
        Assert.Equal([5L], staged.DeniedIn);
    }

    [Fact]
    public async Task HttpPortServesHealthAndMetricsButNotGrpc()
    {
        using var ready = await Goldmane.Http.GetAsync(new Uri("/readiness", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var live = await Goldmane.Http.GetAsync(new Uri("/liveness", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);

        string metrics = await Goldmane.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("goldmane_aggr_received_flows_total", metrics, StringComparison.Ordinal);
        Assert.Contains("goldmane_aggr_num_unique_flows", metrics, StringComparison.Ordinal);
        Assert.Contains("goldmane_collector_num_clients", metrics, StringComparison.Ordinal);

        using var grpcOnHttp = await Goldmane.Http.PostAsync(new Uri("/goldmane.Flows/List", UriKind.Relative), new ByteArrayContent([]));
        Assert.Equal(HttpStatusCode.NotFound, grpcOnHttp.StatusCode);
    }
}
