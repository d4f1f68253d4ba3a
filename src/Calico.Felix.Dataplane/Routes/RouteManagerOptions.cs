namespace Calico.Felix.Dataplane.Routes;

/// <summary>Felix parameters that shape local workload routes (upstream names in the comments).</summary>
public sealed record RouteManagerOptions
{
    /// <summary>The kernel's IPv6 default metric: what a route added with metric 0 reads back as.</summary>
    public const uint KernelIPv6DefaultMetric = 1024;

    /// <summary><c>InterfacePrefix</c> (comma separated upstream): interfaces whose routes are ours to manage.</summary>
    public IReadOnlyList<string> WorkloadInterfacePrefixes { get; init; } = ["cali"];

    /// <summary>
    /// <c>DeviceRouteProtocol</c>, 3 (boot) by default: the CNI plugin adds its routes with boot too, so a route the
    /// plugin added is exactly the route Felix wants and is left alone (never duplicated, never churned).
    /// </summary>
    public byte DeviceRouteProtocol { get; init; } = 3;

    /// <summary>
    /// Metric of IPv4 workload routes. 0 (the kernel default, what the CNI plugin uses) keeps plugin-added routes
    /// identical to ours; upstream 3.28+ uses <c>IPv4NormalRoutePriority</c> (1024) for live migration.
    /// </summary>
    public uint IPv4Metric { get; init; }

    /// <summary>Metric of IPv6 workload routes; 0 means the kernel default (1024).</summary>
    public uint IPv6Metric { get; init; } = KernelIPv6DefaultMetric;

    /// <summary>
    /// <c>RemoveExternalRoutes</c> (default true): every route through a workload interface is ours, whatever its
    /// protocol. When false only routes with our protocols (boot and 80, upstream's own) are removed.
    /// </summary>
    public bool RemoveExternalRoutes { get; init; } = true;

    /// <summary>
    /// Upstream's grace period for a newly seen workload interface: the CNI plugin adds the veth and its routes
    /// before the datastore tells Felix about the endpoint, so routes on a young interface are not removed yet.
    /// </summary>
    public TimeSpan NewInterfaceGracePeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The metric as the kernel reports it back (IPv6 turns 0 into 1024).</summary>
    internal uint EffectiveIPv6Metric => IPv6Metric == 0 ? KernelIPv6DefaultMetric : IPv6Metric;
}
