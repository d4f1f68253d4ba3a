using Calico.Goldmane.Api;
using Action = Calico.Goldmane.Api.Action;

namespace Calico.Felix.FlowLogs;

/// <summary>
/// Turns kernel observations into upstream's flow records, one interval at a time. Single-threaded: the wiring
/// calls it from one loop (packets, conntrack samples, flush), so it takes no locks.
/// <list type="bullet">
/// <item>Logged packets (nflog) give the enforced trace: the hits of one packet in order until an Allow or Deny.
/// A Deny counts the packet (packets and bytes from its IP length) into its flow's record; an Allow starts
/// tracking the connection, whose bytes then come from conntrack.</item>
/// <item>Conntrack samples add the counters' growth since the previous sample to the connection's record; a
/// DESTROY completes it.</item>
/// <item><see cref="Flush"/> returns one record per flow key seen in the interval, live connections included.</item>
/// </list>
/// Memory is bounded by <see cref="FlowAggregatorOptions"/>; what does not fit is counted in <see cref="Counters"/>.
/// </summary>
public sealed partial class FlowAggregator
{
    private readonly FlowAggregatorOptions _options;
    private readonly IFlowLogPrefixDecoder _decoder;
    private readonly IPendingTraceSource? _pending;
    private readonly TimeProvider _time;
    private readonly TokenBucket _bucket;
    private readonly Dictionary<(FlowTuple Tuple, Reporter Reporter), List<PolicyHit>> _openTraces = [];
    private readonly Dictionary<(FlowTuple Tuple, Reporter Reporter), Connection> _connections = [];
    private readonly Dictionary<FlowKey, Accumulator> _interval = [];
    private readonly HashSet<(FlowTuple Tuple, Reporter Reporter)> _deniedThisInterval = [];
    private DateTimeOffset _intervalStart;
    private long _dumpGeneration;

    public FlowAggregator(FlowAggregatorOptions options, IFlowLogPrefixDecoder decoder, TimeProvider time, IPendingTraceSource? pending = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _decoder = decoder;
        _time = time;
        _pending = options.PolicyEvaluationMode == PolicyEvaluationMode.Continuous ? pending : null;
        _bucket = new TokenBucket(options.PacketsPerSecond, options.PacketBurst, time);
        _intervalStart = time.GetUtcNow();
    }

    public FlowAggregatorCounters Counters { get; } = new();

    /// <summary>Names the ends of flows; replaced by the wiring when endpoints or network sets change.</summary>
    public FlowIdentityIndex Identities { get; set; } = FlowIdentityIndex.Empty;

    /// <summary>Allowed connections currently tracked.</summary>
    public int TrackedConnections => _connections.Count;

    public void ObservePacket(LoggedPacket packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        Counters.PacketsReceived++;
        if (!_bucket.TryTake())
        {
            Counters.PacketsRateLimited++;
            return;
        }

        if (!_decoder.TryDecode(packet.Prefix, packet.Tuple, out var reporter, out var hit))
        {
            Counters.PacketsUndecodable++;
            return;
        }

        var id = (packet.Tuple, reporter);
        bool terminal = hit.Action is Action.Allow or Action.Deny;
        if (!_openTraces.TryGetValue(id, out var trace))
        {
            if (terminal)
            {
                Close(id, [hit], packet.Length, hit.Action);
                return;
            }

            if (_openTraces.Count >= _options.MaxOpenTraces)
            {
                Counters.OpenTracesOverCap++;
                return;
            }

            trace = [];
            _openTraces[id] = trace;
        }

        trace.Add(hit);
        if (terminal)
        {
            _openTraces.Remove(id);
            Close(id, trace, packet.Length, hit.Action);
        }
    }

    private void Close((FlowTuple Tuple, Reporter Reporter) id, IReadOnlyList<PolicyHit> hits, int length, Action action)
    {
        var enforced = new List<PolicyHit>(hits.Count);
        for (int i = 0; i < hits.Count; i++)
        {
            var h = hits[i].Clone();
            h.PolicyIndex = i;
            enforced.Add(h);
        }

        var pending = PendingTrace(id.Tuple, id.Reporter);
        var (key, src, dst) = BuildKey(id.Tuple, id.Reporter, action, enforced, pending);
        if (action == Action.Deny)
        {
            var acc = AccumulatorFor(key, src, dst);
            if (acc is null)
            {
                return;
            }

            acc.AddSample(id.Tuple, _options.MaxConnectionSamplesPerFlow);
            if (id.Reporter == Reporter.Src)
            {
                acc.PacketsOut++;
                acc.BytesOut += length;
            }
            else
            {
                acc.PacketsIn++;
                acc.BytesIn += length;
            }

            // Each denied tuple is one attempted connection, begun and over within the interval.
            if (_deniedThisInterval.Add(id))
            {
                acc.Started++;
                acc.Completed++;
            }

            return;
        }

        if (!_connections.ContainsKey(id) && _connections.Count >= _options.MaxConnections)
        {
            Counters.ConnectionsOverCap++;
            return;
        }

        var started = AccumulatorFor(key, src, dst);
        if (started is null)
        {
            return;
        }

        started.Started++;
        started.AddSample(id.Tuple, _options.MaxConnectionSamplesPerFlow);
        _connections[id] = new Connection(key, enforced, src, dst) { SeenGeneration = _dumpGeneration };
    }

    private List<PolicyHit> PendingTrace(FlowTuple tuple, Reporter reporter)
    {
        if (_pending is null)
        {
            return [];
        }

        var hits = _pending.PendingTrace(tuple, reporter);
        var result = new List<PolicyHit>(hits.Count);
        for (int i = 0; i < hits.Count; i++)
        {
            var h = hits[i].Clone();
            h.PolicyIndex = i;
            result.Add(h);
        }

        return result;
    }

    private (FlowKey Key, FlowEndpoint Src, FlowEndpoint Dst) BuildKey(FlowTuple tuple, Reporter reporter, Action action,
        List<PolicyHit> enforced, List<PolicyHit> pending)
    {
        var src = Identities.Resolve(tuple.Src);
        var dst = Identities.Resolve(tuple.Dst);
        var key = new FlowKey
        {
            SourceName = src.Name,
            SourceNamespace = src.Namespace,
            SourceType = src.Type,
            DestName = dst.Name,
            DestNamespace = dst.Namespace,
            DestType = dst.Type,
            DestPort = tuple.DstPort,
            Proto = FlowProtocols.Name(tuple.Protocol),
            Reporter = reporter,
            Action = action,
            Policies = new PolicyTrace(),
        };
        key.Policies.EnforcedPolicies.AddRange(enforced);
        key.Policies.PendingPolicies.AddRange(pending);
        return (key, src, dst);
    }

    private Accumulator? AccumulatorFor(FlowKey key, FlowEndpoint src, FlowEndpoint dst)
    {
        if (_interval.TryGetValue(key, out var acc))
        {
            return acc;
        }

        if (_interval.Count >= _options.MaxFlowsPerInterval)
        {
            Counters.FlowsOverCap++;
            return null;
        }

        acc = new Accumulator(src.Labels, dst.Labels);
        _interval[key] = acc;
        return acc;
    }
}
