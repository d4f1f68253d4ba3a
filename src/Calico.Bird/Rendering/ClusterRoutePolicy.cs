using Calico.Api;

namespace Calico.Bird.Rendering;

/// <summary>
/// Who programs an IP pool's cluster routes into the kernel (upstream's <c>design/cluster-route-programming</c>):
/// Felix always owns VXLAN pools; IPIP pools are Felix's too here (stock BIRD 2 cannot set the tunnel device, which
/// upstream's BIRD fork does with <c>krt_tunnel</c>); unencapsulated pools are BIRD's unless
/// <c>BGPConfiguration.programClusterRoutes</c> is <c>Disabled</c> or <c>EnabledIPIPOnly</c>.
/// </summary>
internal static class ClusterRoutePolicy
{
    public static bool UsesVxlan(IPPoolSpec pool) => pool.VxlanMode is "Always" or "CrossSubnet";

    public static bool UsesIpip(IPPoolSpec pool) => pool.IpipMode is "Always" or "CrossSubnet";

    /// <summary>Null when BIRD programs the pool's routes; otherwise why it does not (rendered as a comment).</summary>
    public static string? FelixOwnershipReason(IPPoolSpec pool, BGPConfiguration? globalConfig)
    {
        if (UsesVxlan(pool))
        {
            return "VXLAN routes are handled by Felix.";
        }

        if (UsesIpip(pool))
        {
            return "Cluster routes are handled by Felix.";
        }

        return globalConfig?.Spec.ProgramClusterRoutes is "Disabled" or "EnabledIPIPOnly"
            ? "Cluster routes are handled by Felix."
            : null;
    }
}
