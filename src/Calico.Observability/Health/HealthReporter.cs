namespace Calico.Observability.Health;

/// <summary>A component's handle for reporting its health; safe to call from any thread.</summary>
public sealed class HealthReporter
{
    private readonly TimeProvider _timeProvider;
    private LatestReport? _latest;

    internal HealthReporter(string name, bool reportsLive, bool reportsReady, TimeSpan timeout, TimeProvider timeProvider)
    {
        Name = name;
        ReportsLive = reportsLive;
        ReportsReady = reportsReady;
        Timeout = timeout;
        _timeProvider = timeProvider;
    }

    public string Name { get; }
    public bool ReportsLive { get; }
    public bool ReportsReady { get; }
    public TimeSpan Timeout { get; }

    /// <param name="reason">Why the component is not live or ready, shown to whoever reads the endpoint.</param>
    public void Report(bool live, bool ready, string? reason = null) =>
        Volatile.Write(ref _latest, new LatestReport(live, ready, reason ?? string.Empty, _timeProvider.GetUtcNow()));

    internal HealthReporterStatus StatusAt(DateTimeOffset now)
    {
        var latest = Volatile.Read(ref _latest);
        if (latest is null)
        {
            return Status(live: false, ready: false, "no report yet");
        }
        var age = now - latest.At;
        if (Timeout > TimeSpan.Zero && age > Timeout)
        {
            var reason = $"timed out: no report for {Seconds(age)} (timeout {Seconds(Timeout)})";
            return Status(live: false, ready: false, latest.Reason.Length == 0 ? reason : reason + "; last reason: " + latest.Reason);
        }
        return Status(latest.Live, latest.Ready, latest.Reason);
    }

    private HealthReporterStatus Status(bool live, bool ready, string reason) =>
        new(Name, ReportsLive, ReportsReady, Timeout, live, ready, reason);

    private static string Seconds(TimeSpan span) =>
        span.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + "s";

    private sealed record LatestReport(bool Live, bool Ready, string Reason, DateTimeOffset At);
}
