namespace Calico.KubeControllers.Config;

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
