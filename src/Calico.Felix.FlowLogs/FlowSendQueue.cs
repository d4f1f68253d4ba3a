using Calico.Goldmane.Api;

namespace Calico.Felix.FlowLogs;

/// <summary>
/// The goldmane client's send policy, without I/O (upstream: <c>goldmane/pkg/client</c>). Flows wait in a bounded
/// queue (upstream's 5,000; a full queue drops the new flow, counted); each is sent and waits for its receipt; what
/// was sent in the last <see cref="RecentWindow"/> (upstream: 5 minutes) is kept, bounded, and after a reconnection
/// is sent again before anything new, the unacknowledged one included, because the server may have restarted and
/// deduplicates what it already had. Not thread-safe: the client's one send loop owns it, producers go through
/// a channel.
/// </summary>
public sealed class FlowSendQueue
{
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly int _recentCapacity;
    private readonly Queue<Flow> _pending = new();
    private readonly LinkedList<(Flow Flow, DateTimeOffset SentAt)> _recent = new();
    private readonly Queue<Flow> _resend = new();
    private Flow? _inFlight;

    public FlowSendQueue(TimeProvider time, int capacity = 5000, int recentCapacity = 50_000, TimeSpan? recentWindow = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentOutOfRangeException.ThrowIfNegative(recentCapacity);
        _time = time;
        _capacity = capacity;
        _recentCapacity = recentCapacity;
        RecentWindow = recentWindow ?? TimeSpan.FromMinutes(5);
    }

    public TimeSpan RecentWindow { get; }

    /// <summary>New flows refused because the queue was full.</summary>
    public long Dropped { get; private set; }

    /// <summary>Flows waiting (new ones plus those to resend).</summary>
    public int Count => _pending.Count + _resend.Count + (_inFlight is null ? 0 : 1);

    public int RecentCount => _recent.Count;

    public bool Enqueue(Flow flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        if (_pending.Count >= _capacity)
        {
            Dropped++;
            return false;
        }

        _pending.Enqueue(flow);
        return true;
    }

    /// <summary>The flow to send now (the same one until it is acknowledged or the stream breaks), or null.</summary>
    public Flow? Next()
    {
        if (_inFlight is not null)
        {
            return _inFlight;
        }

        if (_resend.TryDequeue(out var again))
        {
            _inFlight = again;
        }
        else if (_pending.TryDequeue(out var next))
        {
            _inFlight = next;
        }

        return _inFlight;
    }

    /// <summary>The receipt for the flow in flight came: it joins the recent flows kept for a resend.</summary>
    public void Acknowledge()
    {
        if (_inFlight is null)
        {
            throw new InvalidOperationException("no flow is in flight");
        }

        var now = _time.GetUtcNow();
        Expire(now);
        if (_recentCapacity > 0)
        {
            if (_recent.Count >= _recentCapacity)
            {
                _recent.RemoveFirst();
            }

            _recent.AddLast((_inFlight, now));
        }

        _inFlight = null;
    }

    /// <summary>
    /// A new stream is up: the recent flows, then the one that was in flight, are sent before anything new. Flows
    /// already waiting to be resent after an earlier break keep their place.
    /// </summary>
    public void Reconnected()
    {
        Expire(_time.GetUtcNow());
        var again = new List<Flow>(_recent.Count + _resend.Count + 1);
        foreach (var (flow, _) in _recent)
        {
            again.Add(flow);
        }

        _recent.Clear();
        again.AddRange(_resend);
        _resend.Clear();
        if (_inFlight is not null)
        {
            again.Add(_inFlight);
            _inFlight = null;
        }

        foreach (var f in again)
        {
            _resend.Enqueue(f);
        }
    }

    private void Expire(DateTimeOffset now)
    {
        while (_recent.First is { } first && now - first.Value.SentAt > RecentWindow)
        {
            _recent.RemoveFirst();
        }
    }
}
