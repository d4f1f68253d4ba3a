using Calico.Goldmane.Tests.Upstream;
using UpstreamAction = Calico.Goldmane.Tests.Upstream.Action;

namespace Calico.Goldmane.Tests.Process;

[Trait("Tier", "Root")]
public sealed class GoldmaneRestartProcessTests
{
    [Fact]
    public async Task AfterARestartClientsReconnectAndResentFlowsAreNotDoubled()
    {
        using var goldmane = new GoldmaneProcess("--window", "1s", "--buckets", "182");
        long start = UpstreamFlows.Now - 2;
        var a = UpstreamFlows.Make("a-", "web-", "shop", 80, UpstreamAction.Allow, start, packets: 4);
        var b = UpstreamFlows.Make("b-", "web-", "shop", 80, UpstreamAction.Allow, start, packets: 6);
        await goldmane.ConnectAndSendAsync(a, b);
        Assert.Equal(2, (await goldmane.Flows.ListAsync(new FlowListRequest())).Meta.TotalResults);

        goldmane.Kill();
        goldmane.Start(); // same ports; the in-memory window starts empty

        // The node reconnects on the same channel and resends what it had sent, then again after another reconnection.
        await goldmane.ConnectAndSendAsync(a, b);
        await goldmane.ConnectAndSendAsync(a, b);

        var listed = await goldmane.Flows.ListAsync(new FlowListRequest { SortBy = { new SortOption { SortBy = SortBy.SourceName } } });
        Assert.Equal([4L, 6L], listed.Flows.Select(f => f.Flow.PacketsIn));
        string metrics = await goldmane.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("goldmane_collector_duplicate_flows_total 2", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FlowReportedAfterItsBucketWasStreamedReachesAnOpenStream()
    {
        using var goldmane = new GoldmaneProcess("--window", "1s", "--buckets", "30");
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var stream = goldmane.Flows.Stream(new FlowStreamRequest { StartTimeGte = -20 }, cancellationToken: cancel.Token);
        // A current flow coming back on the stream proves the stream is subscribed before the late one is sent.
        await goldmane.ConnectAndSendAsync(UpstreamFlows.Make("now-", "web-", "shop", 80, UpstreamAction.Allow, UpstreamFlows.Now));
        Assert.True(await stream.ResponseStream.MoveNext(cancel.Token));
        Assert.Equal("now-", stream.ResponseStream.Current.Flow.Key.SourceName);

        // Like calico-node's flush: start time 3 s back, a bucket the stream has already been sent.
        long start = UpstreamFlows.Now - 3;
        await goldmane.ConnectAndSendAsync(UpstreamFlows.Make("late-", "web-", "shop", 80, UpstreamAction.Allow, start, packets: 7));
        Assert.True(await stream.ResponseStream.MoveNext(cancel.Token));
        var late = stream.ResponseStream.Current;
        Assert.Equal(("late-", start, 7L), (late.Flow.Key.SourceName, late.Flow.StartTime, late.Flow.PacketsIn));
    }

    [Fact]
    public async Task SigtermEndsOpenStreamsAndExitsCleanly()
    {
        using var goldmane = new GoldmaneProcess("--window", "1s", "--buckets", "10");
        using var connect = goldmane.Collector.Connect();
        await connect.RequestStream.WriteAsync(new FlowUpdate { Flow = UpstreamFlows.Make("a-", "web-", "shop", 80, UpstreamAction.Allow, UpstreamFlows.Now) });
        Assert.True(await connect.ResponseStream.MoveNext(CancellationToken.None));
        using var stream = goldmane.Flows.Stream(new FlowStreamRequest());

        (bool exited, int code) = goldmane.Terminate(TimeSpan.FromSeconds(10));

        Assert.True(exited, "goldmane still running 10 s after SIGTERM with a Connect and a Stream open: " + goldmane.Output);
        Assert.Equal(0, code);
    }

    [Fact]
    public void BadFlagFailsNamingTheFlagAndValueAndHelpSucceeds()
    {
        (int code, string output) = GoldmaneProcess.RunOnce("--window", "0s");
        Assert.Equal(2, code);
        Assert.Contains("--window", output, StringComparison.Ordinal);
        Assert.Contains("0s", output, StringComparison.Ordinal);

        (code, output) = GoldmaneProcess.RunOnce("--help");
        Assert.Equal(0, code);
        Assert.Contains("--tls-cert", output, StringComparison.Ordinal);
    }
}
