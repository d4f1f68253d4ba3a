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
    public async Task FlowArrivingForAnAlreadyStreamedBucketIsSentAtOnceAsTheUpdatedAggregate()
    {
        var h = new StoreHarness(new FlowStoreOptions { StreamBufferSize = 4 });
        using var cancel = new CancellationTokenSource();
        var stream = h.Store.Stream(new FlowStreamRequest { StartTimeGte = -60 }, cancel.Token).GetAsyncEnumerator(cancel.Token);
        long bucketStart = h.Now;
        h.Store.Ingest(TestFlows.Make(source: "web-", start: bucketStart, packets: 3), "n1");
        h.Advance(30); // the bucket [start, start+15) is streamed now
        var streamed = await NextAsync(stream);
        Assert.Equal((bucketStart, 3L), (streamed.Flow.StartTime, streamed.Flow.PacketsIn));

        // calico-node flushes late: another node's report of the same key and bucket, then a new key, both for the
        // bucket already streamed. Each reaches the open stream without waiting for a rollover.
        h.Store.Ingest(TestFlows.Make(source: "web-", start: bucketStart, packets: 4), "n2");
        var updated = await NextAsync(stream);
        Assert.Equal((streamed.Id, bucketStart, bucketStart + 15, 7L), (updated.Id, updated.Flow.StartTime, updated.Flow.EndTime, updated.Flow.PacketsIn));
        h.Store.Ingest(TestFlows.Make(source: "late-", start: bucketStart + 1, packets: 5), "n1");
        var late = await NextAsync(stream);
        Assert.Equal(("late-", bucketStart, 5L), (late.Flow.Key.SourceName, late.Flow.StartTime, late.Flow.PacketsIn));
        Assert.NotEqual(streamed.Id, late.Id);

        // A flow for the bucket still filling is not sent early (it comes once, with its bucket)...
        var pending = stream.MoveNextAsync().AsTask();
        h.Store.Ingest(TestFlows.Make(source: "now-", start: h.Now, packets: 1), "n1");
        await Task.Delay(50);
        Assert.False(pending.IsCompleted, "a flow for a bucket not yet streamed waits for its bucket");
        h.Advance(30);
        Assert.True(await pending.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal("now-", stream.Current.Flow.Key.SourceName);

        // ...and a stream that does not read loses late results past its buffer, counted.
        for (int i = 0; i < 6; i++)
        {
            h.Store.Ingest(TestFlows.Make(source: "flood-" + i, start: bucketStart), "n1");
        }

        Assert.Contains("goldmane_stream_dropped_results_total 2", h.MetricsText(), StringComparison.Ordinal);
        await cancel.CancelAsync();
        await stream.DisposeAsync();
    }

    [Fact]
    public async Task LateFlowForABucketBeforeTheStreamsStartIsNotSent()
    {
        var h = new StoreHarness();
        long old = h.Now;
        h.Advance(60);
        using var cancel = new CancellationTokenSource();
        // 0 = from now: the first bucket it gets is the next one streamed.
        var stream = h.Store.Stream(new FlowStreamRequest(), cancel.Token).GetAsyncEnumerator(cancel.Token);
        var first = stream.MoveNextAsync().AsTask();
        h.Store.Ingest(TestFlows.Make(source: "history-", start: old), "n1");
        h.Store.Ingest(TestFlows.Make(source: "current-", start: h.Now - 15), "n1");
        h.Advance(15);
        Assert.True(await first.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal("current-", stream.Current.Flow.Key.SourceName);
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
