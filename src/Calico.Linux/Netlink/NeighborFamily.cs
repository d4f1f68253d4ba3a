namespace Calico.Linux.Netlink;

/// <summary>The ndmsg family: which neighbour table an entry is in.</summary>
public enum NeighborFamily : byte
{
    /// <summary>ARP (IPv4 address → MAC).</summary>
    IPv4 = 2,

    /// <summary>Forwarding database of a bridge or VXLAN device (MAC → port or remote underlay address).</summary>
    Bridge = 7,

    /// <summary>NDP (IPv6 address → MAC).</summary>
    IPv6 = 10,
}
