using Calico.Goldmane.Api;
using MatchType = Calico.Goldmane.Api.MatchType;
using Calico.Goldmane.Store;

namespace Calico.Goldmane.Tests.Store;

[Trait("Tier", "Unit")]
public sealed class FlowStoreStreamTests
{
    private static async Task<FlowResult> NextAsync(IAsyncEnumerator<FlowResult> stream)
    {
        var next = stream.MoveNextAsync().AsTask();
        Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(5)), "the stream ended");
        return stream.Current;
    }

    [Fact]
    public async Task BackfillsCompleteBucketsThenStreamsEachBucketAsItCompletes()
    {
        var h = new StoreHarness();
        h.Store.Ingest(TestFlows.Make(source: "early-", start: h.Now), "n1");
        h.Advance(60); // the first bucket is complete and streamed

        using var cancel = new CancellationTokenSource();
        var stream = h.Store.Stream(new FlowStreamRequest { StartTimeGte = -120 }, cancel.Token).GetAsyncEnumerator(cancel.Token);
        Assert.Equal("early-", (await NextAsync(stream)).Flow.Key.SourceName);

        h.Store.Ingest(TestFlows.Make(source: "late-", start: h.Now, packets: 9), "n1");
        var pending = stream.MoveNextAsync().AsTask();
        h.Advance(15);
        Assert.False(pending.IsCompleted, "a bucket is streamed only once a full width has passed after it ended");
        h.Advance(15);
        Assert.True(await pending.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(("late-", 9L), (stream.Current.Flow.Key.SourceName, stream.Current.Flow.PacketsIn));

        await cancel.CancelAsync();
        await stream.DisposeAsync();
    }

    [Fact]
    public async Task FilterAppliesAndZeroStartMeansNoBackfill()
    {
        var h = new StoreHarness();
        h.Store.Ingest(TestFlows.Make(source: "old-", start: h.Now), "n1");
        h.Advance(60);

        using var cancel = new CancellationTokenSource();
        var stream = h.Store.Stream(new FlowStreamRequest { Filter = new Filter { SourceNames = { new StringMatch { Value = "keep" , Type = MatchType.Fuzzy } } } }, cancel.Token)
            .GetAsyncEnumerator(cancel.Token);
        var first = stream.MoveNextAsync().AsTask();
        h.Store.Ingest(TestFlows.Make(source: "drop-", start: h.Now), "n1");
        h.Store.Ingest(TestFlows.Make(source: "keep-", start: h.Now), "n1");
        h.Advance(30);

        Assert.True(await first.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal("keep-", stream.Current.Flow.Key.SourceName);
        await cancel.CancelAsync();
        await stream.DisposeAsync();
    }

    [Fact]
    public async Task StreamLimitAndIntervalAreEnforced()
    {
        var h = new StoreHarness(new FlowStoreOptions { MaxStreams = 1 });
        using var cancel = new CancellationTokenSource();
        var open = h.Store.Stream(new FlowStreamRequest(), cancel.Token).GetAsyncEnumerator(cancel.Token);
        var waiting = open.MoveNextAsync().AsTask();

        var second = h.Store.Stream(new FlowStreamRequest(), cancel.Token).GetAsyncEnumerator(cancel.Token);
        await Assert.ThrowsAsync<StreamLimitException>(async () => await second.MoveNextAsync());
        var bad = h.Store.Stream(new FlowStreamRequest { AggregationInterval = 60 }, cancel.Token).GetAsyncEnumerator(cancel.Token);
        await Assert.ThrowsAsync<ArgumentException>(async () => await bad.MoveNextAsync());

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        await open.DisposeAsync();
    }
}
