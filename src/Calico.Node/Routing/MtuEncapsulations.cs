using Calico.Api;

namespace Calico.Node.Routing;

/// <summary>
/// The encapsulations in use, as upstream's Felix derives them from the IP pools (FelixConfiguration
/// <c>vxlanEnabled</c>/<c>ipipEnabled</c> are ignored here: tunnels follow the pools).
/// </summary>
internal sealed record MtuEncapsulations(bool Vxlan, bool VxlanV6, bool Ipip)
{
    public static MtuEncapsulations None { get; } = new(false, false, false);

    /// <summary>Enabled pools with <c>vxlanMode</c> (IPv4, IPv6) or <c>ipipMode</c> (IPv4) Always or CrossSubnet.</summary>
    public static MtuEncapsulations From(IEnumerable<IPPool> pools)
    {
        ArgumentNullException.ThrowIfNull(pools);
        bool vxlan = false, vxlan6 = false, ipip = false;
        foreach (IPPool pool in pools)
        {
            if (pool.Spec.Disabled == true)
            {
                continue;
            }

            bool v6 = pool.Spec.Cidr.Contains(':', StringComparison.Ordinal);
            if (pool.Spec.VxlanMode is "Always" or "CrossSubnet")
            {
                vxlan |= !v6;
                vxlan6 |= v6;
            }

            if (!v6 && pool.Spec.IpipMode is "Always" or "CrossSubnet")
            {
                ipip = true;
            }
        }

        return new MtuEncapsulations(vxlan, vxlan6, ipip);
    }

    public override string ToString()
    {
        var names = new List<string>(3);
        if (Vxlan)
        {
            names.Add("VXLAN");
        }

        if (VxlanV6)
        {
            names.Add("IPv6 VXLAN");
        }

        if (Ipip)
        {
            names.Add("IP-in-IP");
        }

        return names.Count == 0 ? "none" : string.Join(", ", names);
    }
}
