using Calico.Goldmane.Api;
using Microsoft.Extensions.Logging;

namespace Calico.Goldmane.Store;

/// <summary>
/// The aggregator's memory (upstream's BucketRing): a ring of fixed-width time buckets, bucket n covering
/// [n*width, (n+1)*width); the newest is one ahead of now (clock skew), the one before it is filling, the rest is
/// history. Each flow key is one <see cref="DiachronicFlow"/> with a window per bucket it was seen in. Thread-safe
/// (one lock); time comes from the <see cref="TimeProvider"/>, and the ring advances on every call and on
/// <see cref="Rollover"/> (the host calls it each bucket width so streams get their buckets without traffic).
/// </summary>
public sealed partial class FlowStore : IFlowSource
{
    private readonly Lock _sync = new();
    private readonly FlowStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly StoreMetrics _metrics;
    private readonly FlowBucket[] _ring;
    private readonly Dictionary<FlowKey, DiachronicFlow> _flows = [];
    private readonly Dictionary<DedupeKey, long> _seen = [];
    private readonly LabelPool _pool = new();
    private readonly Dictionary<PolicyTrace, PolicyTrace> _traces = [];
    private readonly int _width;
    private long _head;
    private long _nextId;
    private long _lastDropLog = long.MinValue;
    private long _droppedSinceLog;

    public FlowStore(FlowStoreOptions options, TimeProvider time, StoreMetrics metrics, ILogger<FlowStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _width = options.BucketSeconds;
        _ring = new FlowBucket[options.BucketCount];
        _head = CurrentBucket() + 1;
        for (long n = _head - _ring.Length + 1; n <= _head; n++)
        {
            var bucket = new FlowBucket();
            bucket.Reset(n, _width);
            _ring[Slot(n)] = bucket;
        }

        LogKeeping(_logger, _width, _ring.Length, (long)(_ring.Length - 2) * _width, options.MaxFlows);
    }

    /// <summary>Distinct flow keys held now.</summary>
    public int Count
    {
        get
        {
            lock (_sync)
            {
                return _flows.Count;
            }
        }
    }

    /// <summary>Start of the oldest bucket kept (Unix seconds).</summary>
    public long BeginningOfHistory
    {
        get
        {
            lock (_sync)
            {
                Advance();
                return Oldest * _width;
            }
        }
    }

    private long Oldest => _head - _ring.Length + 1;

    /// <summary>
    /// Aggregates one flow reported by <paramref name="node"/> (the collector passes the peer's address): a resend of
    /// the same key, start and end by the same node within the dedupe expiry is ignored; the same key from another
    /// node adds up.
    /// </summary>
    public IngestOutcome Ingest(Flow flow, string node)
    {
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentNullException.ThrowIfNull(node);
        _metrics.Received.Inc();
        if (flow.Key is null)
        {
            return IngestOutcome.Invalid;
        }

        lock (_sync)
        {
            Advance();
            var dedupe = new DedupeKey(flow.Key, flow.StartTime, flow.EndTime, node);
            if (_seen.ContainsKey(dedupe))
            {
                _metrics.Duplicates.Inc();
                return IngestOutcome.Duplicate;
            }

            long number = Math.DivRem(flow.StartTime, _width, out long remainder) - (remainder < 0 ? 1 : 0);
            if (number < Oldest || number > _head)
            {
                Drop("out_of_window", flow);
                return IngestOutcome.OutOfWindow;
            }

            if (!_flows.TryGetValue(flow.Key, out var diachronic))
            {
                if (_flows.Count >= _options.MaxFlows)
                {
                    Drop("max_flows", flow);
                    return IngestOutcome.OverCapacity;
                }

                diachronic = new DiachronicFlow(++_nextId, Canonical(flow.Key));
                _flows[diachronic.Key] = diachronic;
                _metrics.UniqueFlows.Set(_flows.Count);
            }

            var bucket = _ring[Slot(number)];
            flow.Key = diachronic.Key;
            diachronic.Add(flow, bucket.Start, bucket.End, _pool);
            bucket.Flows.Add(diachronic);
            bucket.Statistics.Add(flow);
            StreamLate(number, diachronic, bucket);
            // Bounded like the flows: past the cap a resend is no longer recognised (it would add up again).
            if (_seen.Count < _options.MaxFlows * 4)
            {
                _seen[dedupe with { Key = diachronic.Key }] = Now() + (long)_options.DedupeExpiry.TotalSeconds;
            }

            return IngestOutcome.Added;
        }
    }

    /// <summary>Advances the ring to now: streams the buckets that became complete, forgets the expired ones.</summary>
    public void Rollover()
    {
        lock (_sync)
        {
            Advance();
        }
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeSeconds();

    private long CurrentBucket()
    {
        long now = Now();
        return Math.DivRem(now, _width, out long remainder) - (remainder < 0 ? 1 : 0);
    }

    private int Slot(long number) => (int)(((number % _ring.Length) + _ring.Length) % _ring.Length);

    private void Advance()
    {
        long target = CurrentBucket() + 1;
        if (target <= _head)
        {
            return;
        }

        if (target - _head > _ring.Length)
        {
            // Asleep for longer than the whole history: nothing kept is recent enough to stream.
            _head = target - _ring.Length;
        }

        while (_head < target)
        {
            // Upstream streams the bucket two behind the head at each rollover: the one that ended a full width ago,
            // so late reports of it have had time to arrive.
            StreamBucket(_ring[Slot(_head - 2)]);
            _head++;
            var expired = _ring[Slot(_head)];
            long oldestStart = Oldest * _width;
            foreach (var flow in expired.Flows)
            {
                if (flow.TrimBefore(oldestStart))
                {
                    _flows.Remove(flow.Key);
                }
            }

            expired.Reset(_head, _width);
            _metrics.Rollovers.Inc();
        }

        _metrics.UniqueFlows.Set(_flows.Count);
        ForgetExpiredResends();
    }

    private void ForgetExpiredResends()
    {
        long now = Now();
        List<DedupeKey>? expired = null;
        foreach ((var key, long expiry) in _seen)
        {
            if (expiry <= now)
            {
                (expired ??= []).Add(key);
            }
        }

        if (expired is not null)
        {
            foreach (var key in expired)
            {
                _seen.Remove(key);
            }
        }
    }

    private void Drop(string reason, Flow flow)
    {
        _metrics.Dropped.WithLabels(reason).Inc();
        _droppedSinceLog++;
        long now = Now();
        // At most one line per bucket width, with the count since the last line: a flood does not flood the log.
        if (now - _lastDropLog >= _width)
        {
            LogDropped(_logger, _droppedSinceLog, reason, flow.StartTime, Oldest * _width, (_head + 1) * _width, _flows.Count, _options.MaxFlows);
            _lastDropLog = now;
            _droppedSinceLog = 0;
        }
    }

    /// <summary>The key with its strings shared with other keys (names, namespaces and policies repeat across flows).</summary>
    private FlowKey Canonical(FlowKey key)
    {
        var copy = key.Clone();
        copy.SourceName = _pool.Intern(copy.SourceName);
        copy.SourceNamespace = _pool.Intern(copy.SourceNamespace);
        copy.DestName = _pool.Intern(copy.DestName);
        copy.DestNamespace = _pool.Intern(copy.DestNamespace);
        copy.DestServiceName = _pool.Intern(copy.DestServiceName);
        copy.DestServiceNamespace = _pool.Intern(copy.DestServiceNamespace);
        copy.DestServicePortName = _pool.Intern(copy.DestServicePortName);
        copy.Proto = _pool.Intern(copy.Proto);
        if (copy.Policies is { } trace)
        {
            if (_traces.TryGetValue(trace, out var shared))
            {
                copy.Policies = shared;
            }
            else
            {
                foreach (var hit in trace.EnforcedPolicies.Concat(trace.PendingPolicies))
                {
                    InternHit(hit);
                }

                // Many keys share one trace (same policies, different workloads or ports); never mutated once shared.
                // Bounded: past the cap the pool starts afresh (keys already stored keep their own reference).
                if (_traces.Count >= _options.MaxFlows)
                {
                    _traces.Clear();
                }

                _traces[trace] = trace;
            }
        }

        return copy;
    }

    private void InternHit(PolicyHit hit)
    {
        hit.Name = _pool.Intern(hit.Name);
        hit.Namespace = _pool.Intern(hit.Namespace);
        hit.Tier = _pool.Intern(hit.Tier);
        if (hit.Trigger is not null)
        {
            InternHit(hit.Trigger);
        }
    }

    private readonly record struct DedupeKey(FlowKey Key, long Start, long End, string Node);

    [LoggerMessage(Level = LogLevel.Information, Message = "Keeping flow history in memory: buckets of {Width} s, {Buckets} buckets ({HistorySeconds} s of history), at most {MaxFlows} distinct flows")]
    private static partial void LogKeeping(ILogger logger, int width, int buckets, long historySeconds, int maxFlows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped {Count} flow(s) since the last report, latest because of {Reason} (flow start {Start}, kept window [{Oldest}, {Newest}), {Flows} of at most {MaxFlows} distinct flows held)")]
    private static partial void LogDropped(ILogger logger, long count, string reason, long start, long oldest, long newest, int flows, int maxFlows);
}
