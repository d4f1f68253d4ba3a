using Calico.Observability.Logging;

namespace Calico.KubeControllers.Config;

/// <summary>What runs, merged from the environment and KubeControllersConfiguration <c>default</c> (upstream's RunConfig).</summary>
internal sealed record RunConfig
{
    public LogSeverity LogSeverityScreen { get; init; } = LogSeverity.Info;

    public bool HealthEnabled { get; init; } = true;

    /// <summary>Zero disables; only acts on etcd (the embedded store bounds its own history).</summary>
    public TimeSpan EtcdV3CompactionPeriod { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Zero disables the metrics server.</summary>
    public int PrometheusMetricsPort { get; init; } = 9094;

    /// <summary>Null when the node controller is not enabled.</summary>
    public NodeControllerConfigRun? Node { get; init; }

    /// <summary>The running configuration as <c>status.runningConfig</c> shows it (what this process does).</summary>
    public required string Fingerprint { get; init; }
}
