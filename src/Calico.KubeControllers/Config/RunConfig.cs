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

/// <summary>The node controller's settings: IPAM garbage collection, node cleanup, automatic host endpoints.</summary>
internal sealed record NodeControllerConfigRun
{
    /// <summary>Zero disables leak and empty-block garbage collection (cleanup after deleted nodes still runs).</summary>
    public TimeSpan LeakGracePeriod { get; init; } = TimeSpan.FromMinutes(15);

    public bool AutoCreateHostEndpoints { get; init; }

    public bool CreateDefaultHostEndpoint { get; init; } = true;

    public IReadOnlyList<Api.Template> Templates { get; init; } = [];

    /// <summary>How often the controller scans: half the grace period as upstream, 5 minutes when GC is disabled.</summary>
    public TimeSpan ScanPeriod => LeakGracePeriod > TimeSpan.Zero ? LeakGracePeriod / 2 : TimeSpan.FromMinutes(5);
}
