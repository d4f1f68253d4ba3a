using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Calico.Goldmane.Api;

namespace Calico.Goldmane.Store;

public sealed partial class FlowStore
{
    private readonly List<Subscription> _subscriptions = [];

    /// <summary>
    /// Flows.Stream: with start_time_gte set (absolute, or negative = relative to now), first every complete bucket
    /// from then on, one result per matching flow per bucket; then, at each rollover, the bucket that ended a width
    /// ago (upstream's timing). 0 = from now, no backfill. A flow ingested later into a bucket already streamed (a node
    /// flushing late) is sent at once as the updated aggregate of its key for that bucket, same id and times as before,
    /// to the streams whose start covers that bucket. A client that does not keep up loses results (counted).
    /// </summary>
    /// <exception cref="ArgumentException">A bad field, named with its value.</exception>
    /// <exception cref="StreamLimitException">Too many open streams.</exception>
    public async IAsyncEnumerable<FlowResult> Stream(FlowStreamRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var subscription = Subscribe(request);
        try
        {
            while (await subscription.Results.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (subscription.Results.Reader.TryRead(out var result))
                {
                    yield return result;
                }
            }
        }
        finally
        {
            lock (_sync)
            {
                _subscriptions.Remove(subscription);
                _metrics.Streams.Set(_subscriptions.Count);
            }
        }
    }

    private Subscription Subscribe(FlowStreamRequest request)
    {
        if (request.AggregationInterval != 0 && request.AggregationInterval != _width)
        {
            throw new ArgumentException($"aggregation_interval: {request.AggregationInterval} must be 0 or the {_width} s aggregation window for a stream");
        }

        lock (_sync)
        {
            if (_subscriptions.Count >= _options.MaxStreams)
            {
                throw new StreamLimitException($"max number of streams ({_options.MaxStreams}) reached, try again later");
            }

            Advance();
            // The first bucket this stream covers: from start_time_gte's bucket, or (0) the next one streamed live.
            long from = request.StartTimeGte == 0
                ? (_head - 2) * _width
                : FloorTo(request.StartTimeGte < 0 ? Now() + request.StartTimeGte : request.StartTimeGte, _width);
            var subscription = new Subscription(request.Filter, from, _options.StreamBufferSize, _metrics);
            if (request.StartTimeGte != 0)
            {
                // Backfill the buckets already streamed (up to three behind the head); later ones come live.
                for (long n = Oldest; n <= _head - 3; n++)
                {
                    var bucket = _ring[Slot(n)];
                    if (bucket.Start >= from)
                    {
                        subscription.Send(bucket);
                    }
                }
            }

            _subscriptions.Add(subscription);
            _metrics.Streams.Set(_subscriptions.Count);
            return subscription;
        }
    }

    private void StreamBucket(FlowBucket bucket)
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Send(bucket);
        }
    }

    /// <summary>
    /// After <paramref name="flow"/> was added to <paramref name="bucket"/> (caller holds the lock): if that bucket was
    /// already streamed (it is three or more behind the head), sends the key's updated aggregate for it to the streams
    /// covering it. Buckets not yet streamed are left to <see cref="StreamBucket"/>, so nothing is sent twice early.
    /// </summary>
    private void StreamLate(long number, DiachronicFlow flow, FlowBucket bucket)
    {
        if (number > _head - 3 || _subscriptions.Count == 0)
        {
            return;
        }

        foreach (var subscription in _subscriptions)
        {
            subscription.Send(flow, bucket);
        }
    }

    private sealed class Subscription(Filter? filter, long from, int capacity, StoreMetrics metrics)
    {
        public Channel<FlowResult> Results { get; } = Channel.CreateBounded<FlowResult>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true },
            _ => metrics.StreamDropped.Inc());

        public void Send(FlowBucket bucket)
        {
            foreach (var flow in bucket.Flows.OrderBy(f => f.Id))
            {
                Write(flow, bucket);
            }
        }

        public void Send(DiachronicFlow flow, FlowBucket bucket)
        {
            if (bucket.Start >= from)
            {
                Write(flow, bucket);
            }
        }

        private void Write(DiachronicFlow flow, FlowBucket bucket)
        {
            if (FlowFilter.Matches(filter, flow.Key) && flow.Aggregate(bucket.Start, bucket.End) is { } aggregated)
            {
                Results.Writer.TryWrite(new FlowResult { Id = flow.Id, Flow = aggregated });
            }
        }
    }
}
