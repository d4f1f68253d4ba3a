namespace Calico.Linux.Nft;

/// <summary>How an element's text is encoded as a set key: the declared type (and flags) of the nft set.</summary>
public enum NftSetKind
{
    /// <summary><c>type ipv4_addr</c> (no interval flag): a plain address.</summary>
    Ipv4Addr,

    /// <summary><c>type ipv6_addr</c> (no interval flag): a plain address.</summary>
    Ipv6Addr,

    /// <summary><c>type ipv4_addr; flags interval</c>: a CIDR, or an address meaning its /32.</summary>
    Ipv4Prefix,

    /// <summary><c>type ipv6_addr; flags interval</c>: a CIDR, or an address meaning its /128.</summary>
    Ipv6Prefix,

    /// <summary><c>type ipv4_addr . inet_proto . inet_service</c>: "10.0.0.1 . tcp . 80".</summary>
    Ipv4PortConcat,

    /// <summary><c>type ipv6_addr . inet_proto . inet_service</c>: "fd00::1 . udp . 53".</summary>
    Ipv6PortConcat,
}
