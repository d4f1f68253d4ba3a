namespace Calico.Felix.FlowLogs;

/// <summary>
/// A token bucket on an injected clock: <see cref="TryTake"/> succeeds while tokens remain; tokens refill at
/// <c>ratePerSecond</c> up to <c>burst</c>. Bounds what a flood of logged packets costs.
/// </summary>
public sealed class TokenBucket
{
    private readonly TimeProvider _time;
    private readonly double _ratePerTick;
    private readonly double _burst;
    private double _tokens;
    private long _last;

    public TokenBucket(double ratePerSecond, double burst, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _ratePerTick = ratePerSecond / time.TimestampFrequency;
        _burst = burst;
        _tokens = burst;
        _last = time.GetTimestamp();
    }

    public bool TryTake()
    {
        long now = _time.GetTimestamp();
        _tokens = Math.Min(_burst, _tokens + ((now - _last) * _ratePerTick));
        _last = now;
        if (_tokens < 1)
        {
            return false;
        }

        _tokens -= 1;
        return true;
    }
}
