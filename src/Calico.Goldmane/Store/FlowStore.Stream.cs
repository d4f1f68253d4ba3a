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
    /// ago (upstream's timing). 0 = from now, no backfill. A client that does not keep up loses results (counted).
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

        var subscription = new Subscription(request.Filter, _options.StreamBufferSize, _metrics);
        lock (_sync)
        {
            if (_subscriptions.Count >= _options.MaxStreams)
            {
                throw new StreamLimitException($"max number of streams ({_options.MaxStreams}) reached, try again later");
            }

            Advance();
            if (request.StartTimeGte != 0)
            {
                long gte = request.StartTimeGte < 0 ? Now() + request.StartTimeGte : request.StartTimeGte;
                // Backfill the buckets already streamed (up to three behind the head); later ones come live.
                for (long n = Oldest; n <= _head - 3; n++)
                {
                    var bucket = _ring[Slot(n)];
                    if (bucket.Start >= FloorTo(gte, _width))
                    {
                        subscription.Send(bucket);
                    }
                }
            }

            _subscriptions.Add(subscription);
            _metrics.Streams.Set(_subscriptions.Count);
        }

        return subscription;
    }

    private void StreamBucket(FlowBucket bucket)
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Send(bucket);
        }
    }

    private sealed class Subscription(Filter? filter, int capacity, StoreMetrics metrics)
    {
        public Channel<FlowResult> Results { get; } = Channel.CreateBounded<FlowResult>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true },
            _ => metrics.StreamDropped.Inc());

        public void Send(FlowBucket bucket)
        {
            foreach (var flow in bucket.Flows.OrderBy(f => f.Id))
            {
                if (FlowFilter.Matches(filter, flow.Key) && flow.Aggregate(bucket.Start, bucket.End) is { } aggregated)
                {
                    Results.Writer.TryWrite(new FlowResult { Id = flow.Id, Flow = aggregated });
                }
            }
        }
    }
}
