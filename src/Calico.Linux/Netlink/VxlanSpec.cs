using System.Net;

namespace Calico.Linux.Netlink;

/// <summary>
/// A VXLAN device to create (<c>ip link add NAME type vxlan id VNI dstport PORT local LOCAL dev PARENT nolearning</c>).
/// No default remote and no group: every destination comes from FDB entries (Felix's static ones).
/// </summary>
public sealed record VxlanSpec(string Name, int Vni, int Port)
{
    /// <summary>Source address of the outer packets (IFLA_VXLAN_LOCAL or LOCAL6 by family); null = the kernel chooses.</summary>
    public IPAddress? LocalAddress { get; init; }

    /// <summary>Index of the underlay interface (IFLA_VXLAN_LINK); 0 = none.</summary>
    public int ParentIndex { get; init; }

    /// <summary>Source-MAC learning from received packets; Calico turns it off (its FDB is static).</summary>
    public bool Learning { get; init; }

    /// <summary>0 = the kernel default (the parent's MTU minus the encapsulation, or 1450).</summary>
    public int Mtu { get; init; }

    /// <summary>Lower-case or upper-case colon hex, or null for a random address.</summary>
    public string? Mac { get; init; }
}
