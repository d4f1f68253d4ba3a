namespace Calico.Observability.Health;

/// <summary>One reporter's effective state: timeouts and a missing first report already applied.</summary>
/// <param name="Live">Meaningful only when <paramref name="ReportsLive"/>.</param>
/// <param name="Ready">Meaningful only when <paramref name="ReportsReady"/>.</param>
public sealed record HealthReporterStatus(
    string Name,
    bool ReportsLive,
    bool ReportsReady,
    TimeSpan Timeout,
    bool Live,
    bool Ready,
    string Reason);
