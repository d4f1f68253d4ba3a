using System.Text;
using Calico.Api;
using Calico.Bird.Rendering;

namespace Calico.Bird;

/// <summary>
/// Service address advertisement from the <c>default</c> BGPConfiguration (upstream's "global routes": confd's
/// <c>/calico/staticroutes</c> and <c>/calico/rejectcidrs</c>): every node originates the <c>serviceClusterIPs</c>,
/// <c>serviceExternalIPs</c> and (with <c>serviceLoadBalancerAggregation</c> not Disabled)
/// <c>serviceLoadBalancerIPs</c> ranges as static blackhole routes that are exported to BGP peers and never
/// programmed into the kernel. Per-service routes (single addresses, Local traffic policy) need Kubernetes services,
/// which this implementation has no source for.
/// </summary>
public static partial class BirdConfigRenderer
{
    /// <summary>The node label that keeps a node from advertising service ranges (upstream's).</summary>
    internal const string ExcludeFromServiceAdvertisement = "node.kubernetes.io/exclude-from-external-load-balancers";

    /// <summary>
    /// The service ranges of one family: cluster IP CIDRs as given; external and load-balancer CIDRs without
    /// single addresses (/32, /128: upstream advertises those per service, from the nodes serving it); none of the
    /// load-balancer ones when aggregation is Disabled. Per-node BGPConfigurations cannot set them.
    /// </summary>
    internal static IReadOnlyList<PoolView> ServiceRanges(BirdInputs inputs, IpFamily family)
    {
        var spec = inputs.GlobalConfig?.Spec;
        if (spec is null)
        {
            return [];
        }

        var hostBits = family == IpFamily.V4 ? 32 : 128;
        var ranges = new List<PoolView>();
        ranges.AddRange(Parse(spec.ServiceClusterIPs?.Select(b => b.Cidr), "serviceClusterIPs"));
        ranges.AddRange(Parse(spec.ServiceExternalIPs?.Select(b => b.Cidr), "serviceExternalIPs").Where(r => r.PrefixLength != hostBits));
        if (spec.ServiceLoadBalancerAggregation != "Disabled")
        {
            ranges.AddRange(Parse(spec.ServiceLoadBalancerIPs?.Select(b => b.Cidr), "serviceLoadBalancerIPs").Where(r => r.PrefixLength != hostBits));
        }

        return PoolView.Ordered(ranges.Distinct());

        IEnumerable<PoolView> Parse(IEnumerable<string?>? cidrs, string field) =>
            (cidrs ?? [])
                .Where(c => !string.IsNullOrEmpty(c))
                .Select(c => PoolView.Parse(c!, null, "BGPConfiguration(default).spec." + field))
                .Where(v => v.Family == family);
    }

    /// <summary>Whether this node originates the service ranges (it is not labelled out of service advertisement).</summary>
    private static bool AdvertisesServices(BirdInputs inputs) =>
        inputs.Nodes.FirstOrDefault(n => n.Metadata.Name == inputs.NodeName)?.Metadata.Labels?.GetValueOrDefault(ExcludeFromServiceAdvertisement) != "true";

    /// <summary>Export lines (after aggregation): the service ranges this node originates, and on a route reflector
    /// the per-service routes of its clients inside the external and load-balancer CIDRs, as upstream.</summary>
    private static void WriteServiceExports(StringBuilder w, IpFamily family, BirdInputs inputs)
    {
        if (AdvertisesServices(inputs))
        {
            foreach (var range in ServiceRanges(inputs, family))
            {
                w.Append("  if (net ~ ").Append(range.Cidr).Append(") then { accept; } # Service address range.\n");
            }
        }

        var self = inputs.Nodes.FirstOrDefault(n => n.Metadata.Name == inputs.NodeName);
        var spec = inputs.GlobalConfig?.Spec;
        if (string.IsNullOrEmpty(self?.Spec.Bgp?.RouteReflectorClusterID) || spec is null)
        {
            return;
        }

        var reflected = (spec.ServiceLoadBalancerIPs?.Select(b => b.Cidr) ?? [])
            .Concat(spec.ServiceExternalIPs?.Select(b => b.Cidr) ?? [])
            .Where(c => !string.IsNullOrEmpty(c))
            .Select(c => PoolView.Parse(c!, null, "BGPConfiguration(default).spec.serviceExternalIPs"))
            .Where(v => v.Family == family)
            .Distinct();
        foreach (var range in PoolView.Ordered(reflected))
        {
            w.Append("  if (net ~ ").Append(range.Cidr).Append(") then { accept; } # Route reflector: service routes of its clients.\n");
        }
    }

    /// <summary>Kernel filter lines (first): no route inside a service range reaches the kernel — neither this node's
    /// blackhole nor another node's advertisement, which would pull service traffic to that node.</summary>
    private static void WriteServiceKernelRejects(StringBuilder w, IpFamily family, BirdInputs inputs)
    {
        foreach (var range in ServiceRanges(inputs, family))
        {
            w.Append("  if (net ~ ").Append(range.Cidr).Append(") then { reject; } # Service address range: advertised, not programmed.\n");
        }
    }

    /// <summary>
    /// <c>protocol static calico_services_vN</c>: a blackhole per service range, the route BIRD originates. Its own
    /// protocol so the block and peer static routes are untouched when service ranges change.
    /// </summary>
    private static void WriteServiceStaticRoutes(StringBuilder w, IpFamily family, BirdInputs inputs)
    {
        var ranges = AdvertisesServices(inputs) ? ServiceRanges(inputs, family) : [];
        if (ranges.Count == 0)
        {
            return;
        }

        w.Append('\n');
        w.Append("protocol static calico_services_").Append(family.Suffix()).Append(" {\n");
        w.Append("  ").Append(family.Channel()).Append(";\n");
        foreach (var range in ranges)
        {
            w.Append("  route ").Append(range.Cidr).Append(" blackhole; # Service address range.\n");
        }

        w.Append("}\n");
    }
}
