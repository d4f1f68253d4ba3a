using System.Text.Json;
using Calico.Goldmane.Api;
using Calico.Goldmane.Web.Whisker;
using GmAction = Calico.Goldmane.Api.Action;
using MatchType = Calico.Goldmane.Api.MatchType;

namespace Calico.Goldmane.Web.Tests;

/// <summary>The whisker-backend API against upstream's field names, list envelope, SSE framing and query decoding
/// (whisker-backend/pkg/apis/v1/flows.go, pkg/handlers/v1, lib/httpmachinery).</summary>
[Trait("Tier", "Unit")]
public sealed class WhiskerApiTests
{
    private static readonly string[] UpstreamFlowFields =
    [
        "start_time", "end_time", "action", "source_name", "source_namespace", "source_labels", "dest_name", "dest_namespace",
        "dest_labels", "protocol", "dest_port", "reporter", "policies", "packets_in", "packets_out", "bytes_in", "bytes_out",
    ];

    private static readonly string[] UpstreamHitFields = ["kind", "name", "namespace", "tier", "action", "policy_index", "rule_index", "trigger"];

    [Fact]
    public async Task ListFlows_WritesUpstreamsEnvelopeAndFieldNames()
    {
        var source = new TestFlowSource([SampleFlows.StagedDeny]);
        var (status, contentType, body) = await WhiskerHttp.GetAsync(source, "/flows");

        Assert.Equal(200, status);
        Assert.Equal("application/json", contentType);
        using var doc = JsonDocument.Parse(body);
        Assert.Equal(1, doc.RootElement.GetProperty("total").GetProperty("totalPages").GetInt64());
        var flow = doc.RootElement.GetProperty("items")[0];
        Assert.Equal(UpstreamFlowFields, flow.EnumerateObject().Select(p => p.Name));
        Assert.Equal("2026-01-01T00:00:30Z", flow.GetProperty("start_time").GetString());
        Assert.Equal("2026-01-01T00:00:45Z", flow.GetProperty("end_time").GetString());
        Assert.Equal("Allow", flow.GetProperty("action").GetString());
        Assert.Equal("Dst", flow.GetProperty("reporter").GetString());
        Assert.Equal("app=api | tier=backend", flow.GetProperty("dest_labels").GetString());
        Assert.Equal(8080, flow.GetProperty("dest_port").GetInt64());
        var enforced = flow.GetProperty("policies").GetProperty("enforced")[0];
        Assert.Equal(UpstreamHitFields, enforced.EnumerateObject().Select(p => p.Name));
        Assert.Equal("CalicoNetworkPolicy", enforced.GetProperty("kind").GetString());
        Assert.Equal(2, enforced.GetProperty("rule_index").GetInt64());
        Assert.Equal(JsonValueKind.Null, enforced.GetProperty("trigger").ValueKind);
        var pending = flow.GetProperty("policies").GetProperty("pending")[0];
        Assert.Equal("StagedNetworkPolicy", pending.GetProperty("kind").GetString());
        Assert.Equal("Deny", pending.GetProperty("action").GetString());
    }

    [Fact]
    public void FlowJson_OutsideEndsEmptyTracesAndUnspecifiedEnums_AsUpstreamWritesThem()
    {
        var flow = SampleFlows.FromInternet;
        flow.Key.Policies = null;
        flow.Key.Action = GmAction.Unspecified;
        flow.Key.Reporter = Reporter.Unspecified;
        var hit = SampleFlows.Hit(PolicyKind.EndOfTier, "default", "", "default", GmAction.Deny, 1, -1);
        hit.Trigger = SampleFlows.Hit(PolicyKind.CalicoNetworkPolicy, "default", "ns", "p", GmAction.Unspecified, 0, 0);

        string json = JsonSerializer.Serialize(WhiskerFlowMapper.ToJson(flow), WhiskerJsonContext.Default.WhiskerFlow);
        var trace = new PolicyTrace();
        trace.EnforcedPolicies.Add(hit);
        flow.Key.Policies = trace;
        string withTrigger = JsonSerializer.Serialize(WhiskerFlowMapper.ToJson(flow), WhiskerJsonContext.Default.WhiskerFlow);

        using var doc = JsonDocument.Parse(json);
        Assert.Equal("PUBLIC NETWORK", doc.RootElement.GetProperty("source_name").GetString());
        Assert.Equal("", doc.RootElement.GetProperty("source_namespace").GetString());
        Assert.Equal("ActionUnspecified", doc.RootElement.GetProperty("action").GetString());
        Assert.Equal("ReporterUnspecified", doc.RootElement.GetProperty("reporter").GetString());
        Assert.Equal("{\"enforced\":null,\"pending\":null}", doc.RootElement.GetProperty("policies").GetRawText());
        Assert.Contains("\"kind\":\"EndOfTier\"", withTrigger, StringComparison.Ordinal);
        Assert.Contains("\"rule_index\":-1,\"trigger\":{\"kind\":\"CalicoNetworkPolicy\"", withTrigger, StringComparison.Ordinal);
        Assert.Contains("\"action\":\"ActionUnspecified\"", withTrigger, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListFlows_Empty_ItemsNullAsGoWritesANilSlice()
    {
        var (status, _, body) = await WhiskerHttp.GetAsync(new TestFlowSource([]), "/flows");
        Assert.Equal(200, status);
        Assert.Equal("{\"total\":{\"totalPages\":1},\"items\":null}\n", body);
    }

    [Fact]
    public async Task WatchFlows_WritesOneServerSentEventPerFlow()
    {
        var source = new TestFlowSource([SampleFlows.Allowed, SampleFlows.Denied], completeStream: true);
        var (status, contentType, body) = await WhiskerHttp.GetAsync(source, "/flows?watch=true&startTimeGte=-300");

        Assert.Equal(200, status);
        Assert.Equal("text/event-stream", contentType);
        string[] events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, events.Length);
        Assert.All(events, e => Assert.StartsWith("data: {\"start_time\":", e, StringComparison.Ordinal));
        Assert.Contains("\"dest_name\":\"postgres\"", events[1], StringComparison.Ordinal);
        Assert.Equal(-300, source.LastStream!.StartTimeGte);
        Assert.Null(source.LastList);
    }

    [Fact]
    public async Task WatchFlows_SourceRefusesTheStream_HttpErrorNotAnEmptyStream()
    {
        var bad = new TestFlowSource([]) { StreamFailure = new ArgumentException("aggregation_interval: 7 must be 0 or 15") };
        var busy = new TestFlowSource([]) { StreamFailure = new InvalidOperationException("max number of streams (100) reached, try again later") };

        var (badStatus, badType, badBody) = await WhiskerHttp.GetAsync(bad, "/flows?watch=true");
        var (busyStatus, _, busyBody) = await WhiskerHttp.GetAsync(busy, "/flows?watch=true");

        Assert.Equal(400, badStatus);
        Assert.Equal("application/json", badType);
        Assert.Contains("aggregation_interval: 7", badBody, StringComparison.Ordinal);
        Assert.Equal(503, busyStatus);
        Assert.Contains("max number of streams", busyBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListFlows_QueryParameters_BecomeGoldmanesListRequest()
    {
        // Upstream's flow_filters_exact.json, as whisker sends it (URL-encoded in the query).
        const string filters = """
            {"source_names":[{"value":"src-name","type":"Exact"}],"source_namespaces":[{"value":"src-namespace","type":"Exact"}],
             "dest_names":[{"value":"PUBLIC NETWORK","type":"Fuzzy"}],"dest_namespaces":[{"value":"Global","type":"Exact"}],
             "protocols":[{"value":"tcp","type":"Exact"}],"dest_ports":[{"value":8080,"type":"Exact"}],"actions":["Deny","Pass"],
             "pending_actions":["Allow"],"reporter":"Src",
             "policies":[{"kind":"CalicoNetworkPolicy","tier":{"value":"default-tier","type":"Exact"},"name":{"value":"name","type":"Exact"},
                          "namespace":{"value":"namespace","type":"Exact"},"action":"Deny"}]}
            """;
        var source = new TestFlowSource([]);
        string url = "/flows?startTimeGte=1700000000&startTimeLt=-60&sortBy=DestName&sortBy=Time&page=2&pageSize=50&filters=" + Uri.EscapeDataString(filters);

        var (status, _, body) = await WhiskerHttp.GetAsync(source, url);

        Assert.True(status == 200, body);
        var request = source.LastList!;
        Assert.Equal(1_700_000_000, request.StartTimeGte);
        Assert.Equal(-60, request.StartTimeLt);
        Assert.Equal(2, request.Page);
        Assert.Equal(50, request.PageSize);
        Assert.Equal([SortBy.DestName, SortBy.Time], request.SortBy.Select(s => s.SortBy));
        var expected = new Filter { Reporter = Reporter.Src };
        expected.SourceNames.Add(new StringMatch { Value = "src-name" });
        expected.SourceNamespaces.Add(new StringMatch { Value = "src-namespace" });
        expected.DestNames.Add(new StringMatch { Value = "pub", Type = MatchType.Fuzzy });
        expected.DestNamespaces.Add(new StringMatch { Value = "-" });
        expected.Protocols.Add(new StringMatch { Value = "tcp" });
        expected.DestPorts.Add(new PortMatch { Port = 8080 });
        expected.Actions.Add([GmAction.Deny, GmAction.Pass]);
        expected.PendingActions.Add(GmAction.Allow);
        expected.Policies.Add(new PolicyMatch
        {
            Kind = PolicyKind.CalicoNetworkPolicy,
            Tier = new StringMatch { Value = "default-tier" },
            Name = new StringMatch { Value = "name" },
            Namespace = new StringMatch { Value = "namespace" },
            Action = GmAction.Deny,
        });
        Assert.Equal(expected, request.Filter);
    }

    [Fact]
    public async Task ListFlows_FuzzyPolicyWithoutKindOrAction_DefaultsAsUpstream()
    {
        const string filters = """{"policies":[{"tier":{"value":"default-tier","type":"Fuzzy"},"name":{"value":"name","type":"Fuzzy"},"namespace":{"value":"namespace","type":"Fuzzy"}}]}""";
        var source = new TestFlowSource([]);
        await WhiskerHttp.GetAsync(source, "/flows?filters=" + Uri.EscapeDataString(filters));

        var policy = Assert.Single(source.LastList!.Filter.Policies);
        Assert.Equal(PolicyKind.KindUnspecified, policy.Kind);
        Assert.Equal(GmAction.Unspecified, policy.Action);
        Assert.Equal(new StringMatch { Value = "name", Type = MatchType.Fuzzy }, policy.Name);
    }

    [Theory]
    [InlineData("/flows?startTimeGte=abc", "startTimeGte", "abc")]
    [InlineData("/flows?startTimeLt=1.5", "startTimeLt", "1.5")]
    [InlineData("/flows?watch=maybe", "watch", "maybe")]
    [InlineData("/flows?sortBy=Size", "sortBy", "Size")]
    [InlineData("/flows?pageSize=-1", "pageSize", "-1")]
    [InlineData("/flows?filters=%7Bnot-json", "filters", "{not-json")]
    [InlineData("/flows?filters=%7B%22actions%22%3A%5B%22Alow%22%5D%7D", "filters", "Alow")]
    [InlineData("/flows?filters=%7B%22reporter%22%3A%22Both%22%7D", "filters", "Both")]
    [InlineData("/flows?filters=%7B%22dest_names%22%3A%5B%7B%22value%22%3A%22x%22%2C%22type%22%3A%22Regex%22%7D%5D%7D", "filters", "Regex")]
    [InlineData("/flows?filters=%7B%22policies%22%3A%5B%7B%22kind%22%3A%22Policy%22%7D%5D%7D", "filters", "Policy")]
    [InlineData("/flows-filter-hints?type=Colour", "type", "Colour")]
    [InlineData("/flows-filter-hints?pageSize=10", "type", "required")]
    [InlineData("/flows-filter-hints?type=DestName&page=x", "page", "x")]
    public async Task BadQueryValue_Is400NamingParameterAndValue(string url, string parameter, string value)
    {
        var source = new TestFlowSource([]);
        var (status, contentType, body) = await WhiskerHttp.GetAsync(source, url);

        Assert.Equal(400, status);
        Assert.Equal("application/json", contentType);
        using var doc = JsonDocument.Parse(body);
        string message = doc.RootElement.GetProperty("error").GetString()!;
        Assert.Contains(parameter, message, StringComparison.Ordinal);
        Assert.Contains(value, message, StringComparison.Ordinal);
        Assert.Null(source.LastList);
        Assert.Null(source.LastStream);
        Assert.Null(source.LastHints);
    }

    [Fact]
    public async Task FilterHints_PassesTypeAndPaging_NamesNamespacesAsUpstream()
    {
        var source = new TestFlowSource([]);
        source.Hints = new FilterHintsResult { Meta = new ListMetadata { TotalPages = 3 } };
        source.Hints.Hints.Add([new FilterHint { Value = "" }, new FilterHint { Value = "backend" }]);

        var (status, _, body) = await WhiskerHttp.GetAsync(source, "/flows-filter-hints?type=SourceNamespace&page=1&pageSize=20&filters=%7B%22actions%22%3A%5B%22Deny%22%5D%7D");

        Assert.Equal(200, status);
        Assert.Equal("{\"total\":{\"totalPages\":3},\"items\":[{\"value\":\"Global\"},{\"value\":\"backend\"}]}\n", body);
        Assert.Equal(FilterType.SourceNamespace, source.LastHints!.Type);
        Assert.Equal(1, source.LastHints.Page);
        Assert.Equal(20, source.LastHints.PageSize);
        Assert.Equal([GmAction.Deny], source.LastHints.Filter.Actions);
    }

    [Fact]
    public async Task FilterHints_Names_PubAndPvtReadAsUpstream()
    {
        var source = new TestFlowSource([]);
        source.Hints = new FilterHintsResult { Meta = new ListMetadata { TotalPages = 1 } };
        source.Hints.Hints.Add([new FilterHint { Value = "pub" }, new FilterHint { Value = "pvt" }, new FilterHint { Value = "api" }]);

        var (_, _, body) = await WhiskerHttp.GetAsync(source, "/flows-filter-hints?type=DestName");

        Assert.Contains("[{\"value\":\"PUBLIC NETWORK\"},{\"value\":\"PRIVATE NETWORK\"},{\"value\":\"api\"}]", body, StringComparison.Ordinal);
    }

    [Fact]
    public void PageResources_AreEmbedded()
    {
        string index = System.Text.Encoding.UTF8.GetString(Page.FlowPage.Load("index.html"));
        Assert.Contains("<script src=\"ui/flows.js\"></script>", index, StringComparison.Ordinal);
        Assert.Contains("EventSource('flows?watch=true", System.Text.Encoding.UTF8.GetString(Page.FlowPage.Load("flows.js")), StringComparison.Ordinal);
        Assert.NotEmpty(Page.FlowPage.Load("flows.css"));
    }
}
