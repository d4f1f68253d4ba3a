using System.Text.RegularExpressions;

namespace Calico.Node.Routing;

/// <summary>
/// Upstream Felix's MTU rules (felix/dataplane/linux/int_dataplane.go: findHostMTU, ConfigureDefaultMTUs,
/// determinePodMTU), pure. The host MTU is the smallest MTU among operationally up interfaces matching
/// <c>mtuIfacePattern</c> (1460 when none matches). Each tunnel's MTU is its FelixConfiguration override when set,
/// else the host MTU minus the encapsulation's overhead (VXLAN 50, IPv6 VXLAN 70, IP-in-IP 20). The workload MTU
/// is the smallest tunnel MTU among the encapsulations in use, or the host MTU when none is.
/// </summary>
internal static class MtuCalculator
{
    public const int VxlanOverhead = 50;
    public const int VxlanV6Overhead = 70;
    public const int IpipOverhead = 20;

    /// <summary>Upstream's host MTU when no interface matches the pattern: "the smallest among common cloud providers".</summary>
    public const int FallbackHostMtu = 1460;

    /// <summary>The smallest MTU of the up interfaces matching <paramref name="pattern"/>, or null (none matched).</summary>
    public static HostLink? SmallestHostLink(IEnumerable<HostLink> links, Regex? pattern)
    {
        ArgumentNullException.ThrowIfNull(links);
        HostLink? smallest = null;
        foreach (HostLink link in links)
        {
            if (pattern is null || !pattern.IsMatch(link.Name) || !link.Running || link.Mtu <= 0)
            {
                continue;
            }

            if (smallest is null || link.Mtu < smallest.Mtu)
            {
                smallest = link;
            }
        }

        return smallest;
    }

    public static MtuPlan Plan(IEnumerable<HostLink> links, MtuEncapsulations encapsulations, MtuSettings settings)
    {
        ArgumentNullException.ThrowIfNull(encapsulations);
        ArgumentNullException.ThrowIfNull(settings);
        HostLink? host = SmallestHostLink(links, settings.IfacePattern);
        int hostMtu = host?.Mtu ?? FallbackHostMtu;
        int vxlan = settings.VxlanMtu > 0 ? settings.VxlanMtu : hostMtu - VxlanOverhead;
        int vxlan6 = settings.VxlanMtuV6 > 0 ? settings.VxlanMtuV6 : hostMtu - VxlanV6Overhead;
        int ipip = settings.IpipMtu > 0 ? settings.IpipMtu : hostMtu - IpipOverhead;

        int pod = 0;
        foreach (var (mtu, used) in new[] { (ipip, encapsulations.Ipip), (vxlan, encapsulations.Vxlan), (vxlan6, encapsulations.VxlanV6) })
        {
            if (used && (pod == 0 || mtu < pod))
            {
                pod = mtu;
            }
        }

        return new MtuPlan(hostMtu, host?.Name, vxlan, vxlan6, ipip, pod == 0 ? hostMtu : pod, encapsulations);
    }
}
