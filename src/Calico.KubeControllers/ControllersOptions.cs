namespace Calico.KubeControllers;

/// <summary>The command line of the controllers process (upstream's flags, plus the lease's).</summary>
internal sealed record ControllersOptions
{
    /// <summary>Upstream's <c>--status-file</c>.</summary>
    public string StatusFile { get; init; } = Health.StatusFile.DefaultPath;

    /// <summary>How long a lease renewal counts (ours: upstream runs one replica under Kubernetes instead).</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How often the process re-reads KubeControllersConfiguration and the nodes.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the status file is rewritten and the datastore checked (upstream: 10 s).</summary>
    public TimeSpan HealthInterval { get; init; } = TimeSpan.FromSeconds(10);
}
