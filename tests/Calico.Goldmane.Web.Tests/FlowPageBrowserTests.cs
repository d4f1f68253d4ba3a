using System.Text.Json.Nodes;
using Calico.Goldmane.Api;
using GmAction = Calico.Goldmane.Api.Action;

namespace Calico.Goldmane.Web.Tests;

/// <summary>One Kestrel host of MapFlowWeb and one headless Chromium for the class.</summary>
public sealed class FlowPageBrowserFixture : IAsyncLifetime
{
    internal FlowPageServer Server { get; private set; } = null!;

    internal HeadlessChromium Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await FlowPageServer.StartAsync(new TestFlowSource(SampleFlows.All));
        Browser = await HeadlessChromium.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}

/// <summary>
/// The web view in a real browser: headless Chromium loads the page from Kestrel, the page streams the flows over
/// /flows?watch=true (EventSource), and the test reads the rendered DOM. Root tier: it runs an external process.
/// </summary>
[Trait("Tier", "Root")]
public sealed class FlowPageBrowserTests(FlowPageBrowserFixture fixture) : IClassFixture<FlowPageBrowserFixture>
{
    private const string Rows = "document.querySelectorAll('#rows tr.flow')";

    private static readonly CancellationToken None = CancellationToken.None;

    private HeadlessChromium Browser => fixture.Browser;

    [Fact]
    public async Task Page_ShowsEveryFlowNewestFirst_WithEnforcedAndPendingTraces()
    {
        await OpenAsync("");

        var rows = await RowsAsync();
        Assert.Equal(4, rows.Count);
        // Newest first: the flow from the internet ends last.
        Assert.Equal(["PUBLIC NETWORK", "curl", "web", "web"], rows.Select(r => r["src"]!.GetValue<string>()));
        Assert.Equal(["web", "api", "postgres", "api"], rows.Select(r => r["dst"]!.GetValue<string>().Split('/')[^1]));
        var denied = rows[2];
        Assert.Equal("Deny", denied["action"]!.GetValue<string>());
        Assert.Equal("5432/tcp", denied["port"]!.GetValue<string>());
        Assert.Equal("security / deny-db GlobalNetworkPolicy rule 1 \u2192 Deny", denied["enforced"]!.GetValue<string>());
        Assert.Equal("calicoctl get globalnetworkpolicy deny-db -o yaml", denied["yaml"]!.GetValue<string>());
        Assert.False(denied["pendingDiffers"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Page_StagedPolicyThatWouldDeny_PendingTraceMarkedDifferent()
    {
        await OpenAsync("");

        var staged = (await RowsAsync()).Single(r => r["src"]!.GetValue<string>() == "curl");
        Assert.Equal("Allow", staged["action"]!.GetValue<string>());
        Assert.Equal("default / backend/allow-web CalicoNetworkPolicy rule 2 \u2192 Allow", staged["enforced"]!.GetValue<string>());
        Assert.True(staged["pendingDiffers"]!.GetValue<bool>());
        Assert.True(staged["verdictDiffers"]!.GetValue<bool>());
        Assert.Equal("staged policy would deny", staged["verdictChange"]!.GetValue<string>());
        Assert.Equal("default / backend/lockdown StagedNetworkPolicy rule 0 \u2192 Deny", staged["pending"]!.GetValue<string>());
        Assert.Equal("calicoctl get stagednetworkpolicy lockdown -n backend -o yaml", staged["pendingYaml"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("?action=Deny", new[] { "postgres" })]
    [InlineData("?namespace=backend&port=8080", new[] { "api", "api" })]
    [InlineData("?policy=lockdown", new[] { "api" })]
    [InlineData("?name=PUBLIC", new[] { "web" })]
    [InlineData("?action=Pass", new string[0])]
    public async Task Page_FilterInUrl_NarrowsRowsAndFillsTheForm(string query, string[] destinations)
    {
        await OpenAsync(query);
        await Browser.WaitForAsync($"document.getElementById('count').textContent === 'showing {destinations.Length} of 4 flows'", None);

        var rows = await RowsAsync();
        Assert.Equal(destinations, rows.Select(r => r["dst"]!.GetValue<string>().Split('/')[^1]));
        string firstFilter = query[1..query.IndexOf('=', StringComparison.Ordinal)];
        string firstValue = query[(query.IndexOf('=', StringComparison.Ordinal) + 1)..].Split('&')[0];
        Assert.Equal(firstValue, (await Browser.EvaluateAsync($"document.getElementById('f-{firstFilter}').value", None))!.GetValue<string>());
    }

    [Fact]
    public async Task Page_TypingAFilter_NarrowsRowsAndPutsItInTheUrl()
    {
        await OpenAsync("");

        await Browser.EvaluateAsync("(() => { const i = document.getElementById('f-namespace'); i.value = 'db'; i.dispatchEvent(new Event('input')); return true; })()", None);
        await Browser.WaitForAsync(Rows + ".length === 1", None);

        Assert.Equal("postgres", (await RowsAsync())[0]["dst"]!.GetValue<string>().Split('/')[^1]);
        Assert.Equal("?namespace=db", (await Browser.EvaluateAsync("window.location.search", None))!.GetValue<string>());
    }

    [Fact]
    public async Task Page_FlowArrivingLater_ShownLiveAtTheTop()
    {
        // Its own source and server (the browser is shared), so the other tests keep their four flows.
        await using var server = await FlowPageServer.StartAsync(new TestFlowSource(SampleFlows.All));
        await OpenAsync(server, "");
        await Browser.WaitForAsync("document.getElementById('status').textContent === 'live'", None);

        var late = SampleFlows.Make(SampleFlows.Base + 600, "late", "batch", "backend", "api", 9090, GmAction.Deny,
            [SampleFlows.Hit(PolicyKind.EndOfTier, "default", "", "default", GmAction.Deny, 1, -1)]);
        server.Source.Publish(late);
        await Browser.WaitForAsync(Rows + ".length >= 5", None);

        var top = (await RowsAsync())[0];
        Assert.Equal("batch", top["src"]!.GetValue<string>());
        Assert.Equal("9090/tcp", top["port"]!.GetValue<string>());
        Assert.Equal("default / end of tier EndOfTier \u2192 Deny", top["enforced"]!.GetValue<string>());
        Assert.Equal("calicoctl get tier default -o yaml", top["yaml"]!.GetValue<string>());
    }

    private Task OpenAsync(string query) => OpenAsync(fixture.Server, query);

    /// <summary>Loads the page and waits until it has received the source's flows over the stream.</summary>
    private async Task OpenAsync(FlowPageServer server, string query)
    {
        await Browser.NavigateAsync(new Uri(server.Address, query).ToString(), None);
        int count = server.Source.List(new FlowListRequest()).Flows.Count;
        await Browser.WaitForAsync($"document.readyState === 'complete' && window.location.search === '{query}' && document.getElementById('count').textContent.endsWith(' of {count} flows')", None);
    }

    /// <summary>Each rendered row as the text a reader sees in each column and trace.</summary>
    private async Task<List<JsonNode>> RowsAsync()
    {
        const string Script = """
            Array.from(document.querySelectorAll('#rows tr.flow')).map(tr => {
              const text = (sel) => { const e = tr.querySelector(sel); return e ? e.textContent.replace(/\s+/g, ' ').trim() : null; };
              const hitText = (li) => li ? Array.from(li.childNodes).map(n => n.nodeName === 'DETAILS' ? n.querySelector('summary').textContent : n.textContent).join('').replace(/\s+/g, ' ').trim() : null;
              const pending = tr.querySelector('.trace.pending');
              return {
                src: text('td.src .name'), dst: text('td.dst'), port: text('td.port'), action: text('td.action'),
                enforced: hitText(tr.querySelector('.trace.enforced li')),
                yaml: text('.trace.enforced code.yaml-cmd'),
                pending: hitText(pending.querySelector('li')),
                pendingYaml: text('.trace.pending code.yaml-cmd'),
                pendingDiffers: pending.classList.contains('differs'),
                verdictDiffers: pending.classList.contains('verdict-differs'),
                verdictChange: text('.trace.pending .verdict-change'),
              };
            })
            """;
        var value = await Browser.EvaluateAsync(Script, None);
        return [.. value!.AsArray().Select(n => n!)];
    }
}
