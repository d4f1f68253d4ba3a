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

    /// <summary><c>type ipv4_addr . inet_proto; flags interval</c> (pipapo): "10.0.0.0/24 . 6", "10.0.0.1 . 17".</summary>
    Ipv4ProtoInterval,

    /// <summary><c>type ipv6_addr . inet_proto; flags interval</c> (pipapo): "fd00::/64 . 6", "fd00::1 . 17".</summary>
    Ipv6ProtoInterval,

    /// <summary>
    /// <c>type ipv4_addr . inet_proto . inet_service; flags interval</c> (pipapo): "10.0.0.0/24 . 6 . 80-90",
    /// "10.0.0.5 . 6 . 443", "0.0.0.0/0 . 6 . 0-65535".
    /// </summary>
    Ipv4ProtoPortInterval,

    /// <summary><c>type ipv6_addr . inet_proto . inet_service; flags interval</c> (pipapo): "fd00::/64 . 6 . 80-90".</summary>
    Ipv6ProtoPortInterval,
}
