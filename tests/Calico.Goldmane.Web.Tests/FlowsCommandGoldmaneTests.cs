using System.Text.Json;
using Calico.Goldmane.Api;

using Calico.Ctl.Tests;

namespace Calico.Goldmane.Web.Tests;

/// <summary>
/// <c>calicoctl flows</c> against the real goldmane binary, fed through upstream's FlowCollector.Connect as
/// calico-node feeds it.
/// </summary>
[Trait("Tier", "Root")]
public sealed class FlowsCommandGoldmaneTests
{
    [Fact]
    public async Task RealGoldmane_DeniedFlowListedWithItsTraces()
    {
        using var goldmane = await GoldmaneBinary.StartAsync("--window", "1s");
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var flows = FlowSamples.All.Select(f => { var c = f.Clone(); c.StartTime = now; c.EndTime = now + 1; return c; }).ToList();
        var collector = new FlowCollector.FlowCollectorClient(goldmane.Channel);
        using (var call = collector.Connect())
        {
            foreach (var flow in flows)
            {
                await call.RequestStream.WriteAsync(new FlowUpdate { Flow = flow });
                Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None), "no FlowReceipt");
            }

            await call.RequestStream.CompleteAsync();
        }

        var ctl = new CtlRunner(new Dictionary<string, string> { ["CALICO_FLOWS_SERVER"] = goldmane.GrpcAddress });
        CtlResult denied;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            denied = await ctl.RunAsync("flows --action Deny --since 1m -o json");
            if (denied.ExitCode != 0 || denied.Out.Contains("postgres", StringComparison.Ordinal) || deadline.IsCancellationRequested)
            {
                break;
            }

            await Task.Delay(200, CancellationToken.None);
        }

        Assert.True(denied.ExitCode == 0, denied.ToString());
        using var doc = JsonDocument.Parse(denied.Out);
        var flowJson = Assert.Single(doc.RootElement.EnumerateArray());
        Assert.Equal("postgres", flowJson.GetProperty("dest_name").GetString());
        Assert.Equal("Deny", flowJson.GetProperty("action").GetString());
        var hit = flowJson.GetProperty("policies").GetProperty("enforced")[0];
        Assert.Equal(("security", "deny-db", 1L), (hit.GetProperty("tier").GetString(), hit.GetProperty("name").GetString(), hit.GetProperty("rule_index").GetInt64()));

        var staged = await ctl.RunAsync("flows --policy backend/lockdown -o wide");
        Assert.True(staged.ExitCode == 0, staged.ToString());
        Assert.Contains("staged policy would deny: default/backend/staged:lockdown rule 0 Deny", staged.Out, StringComparison.Ordinal);
    }
}
