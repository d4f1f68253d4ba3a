using Calico.Goldmane.Api;
using GmAction = Calico.Goldmane.Api.Action;

namespace Calico.Goldmane.Web.Tests;

/// <summary>
/// The page served by the real goldmane binary, fed through upstream's FlowCollector.Connect as calico-node feeds
/// it, in headless Chromium: a flow sent after the page opened appears live with its enforced and pending traces.
/// </summary>
[Trait("Tier", "Root")]
public sealed class GoldmanePageTests
{
    [Fact]
    public async Task RealGoldmane_FlowSentThroughConnect_AppearsLiveOnThePage()
    {
        using var goldmane = await GoldmaneBinary.StartAsync("--window", "1s");
        await using var browser = await HeadlessChromium.StartAsync(CancellationToken.None);
        await browser.NavigateAsync(new Uri(goldmane.Page, "?since=600").ToString(), CancellationToken.None);
        await browser.WaitForAsync("document.getElementById('status').textContent === 'live'", CancellationToken.None);

        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var flow = SampleFlows.StagedDeny;
        flow.StartTime = now; // in the aggregator's current bucket, as a node's flush of this interval would be
        flow.EndTime = now + 1;
        var collector = new FlowCollector.FlowCollectorClient(goldmane.Channel);
        using (var call = collector.Connect())
        {
            await call.RequestStream.WriteAsync(new FlowUpdate { Flow = flow });
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None), "no FlowReceipt");
            await call.RequestStream.CompleteAsync();
        }

        await browser.WaitForAsync("document.querySelectorAll('#rows tr.flow').length === 1", CancellationToken.None);
        string row = (await browser.EvaluateAsync(
            "(() => { const tr = document.querySelector('#rows tr.flow'); return [tr.querySelector('td.src').textContent, tr.querySelector('td.dst').textContent, " +
            "tr.querySelector('td.port').textContent, tr.querySelector('td.action').textContent, tr.querySelector('.trace.enforced .policy-name').textContent, " +
            "tr.querySelector('.trace.pending .policy-name').textContent, tr.querySelector('.verdict-change').textContent].join('|'); })()",
            CancellationToken.None))!.GetValue<string>();
        Assert.Equal("tools/curl|backend/api|8080/tcp|Allow|backend/allow-web|backend/lockdown|staged policy would deny", row);
        Assert.Equal(GmAction.Allow, flow.Key.Action);
    }
}
