namespace Calico.Observability.Health;

/// <summary>The aggregate the liveness and readiness endpoints answer from.</summary>
public sealed record HealthSummary(bool Live, bool Ready, IReadOnlyList<HealthReporterStatus> Reporters);
