namespace Calico.Observability.Health;

/// <summary>
/// Upstream Felix's health aggregator: components register as reporters, report live/ready with a reason,
/// and the process is live (ready) only while every reporter of that kind is. A reporter silent for longer
/// than its timeout counts as neither, so a wedged loop fails the kubelet probe.
/// </summary>
public sealed class HealthAggregator
{
    private readonly TimeProvider _timeProvider;
    private readonly Lock _registration = new();
    private HealthReporter[] _reporters = [];

    public HealthAggregator(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
    }

    public HealthAggregator()
        : this(TimeProvider.System)
    {
    }

    /// <param name="timeout">How long a report stays valid; <see cref="TimeSpan.Zero"/> means forever (upstream's 0).</param>
    public HealthReporter Register(string name, bool reportsLive, bool reportsReady, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        lock (_registration)
        {
            foreach (var existing in _reporters)
            {
                if (existing.Name == name)
                {
                    throw new ArgumentException($"health reporter \"{name}\" is already registered", nameof(name));
                }
            }
            var reporter = new HealthReporter(name, reportsLive, reportsReady, timeout, _timeProvider);
            // Copy-on-write: Summarize reads the array without taking the lock.
            _reporters = [.. _reporters, reporter];
            return reporter;
        }
    }

    /// <summary>The state now, reporters in registration order. With no reporters the process counts as healthy.</summary>
    public HealthSummary Summarize()
    {
        var reporters = Volatile.Read(ref _reporters);
        var now = _timeProvider.GetUtcNow();
        var statuses = new HealthReporterStatus[reporters.Length];
        var live = true;
        var ready = true;
        for (var i = 0; i < reporters.Length; i++)
        {
            var status = reporters[i].StatusAt(now);
            statuses[i] = status;
            live &= !status.ReportsLive || status.Live;
            ready &= !status.ReportsReady || status.Ready;
        }
        return new HealthSummary(live, ready, statuses);
    }
}
