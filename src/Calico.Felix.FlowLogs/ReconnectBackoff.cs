namespace Calico.Felix.FlowLogs;

/// <summary>Upstream's client backoff: 1 s doubling up to 10 s between connection attempts, reset once connected.</summary>
public sealed class ReconnectBackoff
{
    private readonly TimeSpan _initial;
    private readonly TimeSpan _max;
    private TimeSpan _next;

    public ReconnectBackoff(TimeSpan initial, TimeSpan max)
    {
        _initial = initial;
        _max = max;
        _next = initial;
    }

    public static ReconnectBackoff Upstream() => new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));

    public TimeSpan NextDelay()
    {
        var delay = _next;
        _next = _next * 2 > _max ? _max : _next * 2;
        return delay;
    }

    public void Reset() => _next = _initial;
}
