namespace Calico.Nftables;

/// <summary>A packet or metadata field a rule matches on (the left side of a relation, or one part of a concatenation).</summary>
public enum NftField
{
    MetaNfproto,
    MetaL4proto,
    IifName,
    OifName,
    CtState,
    IpSaddr,
    IpDaddr,
    Ip6Saddr,
    Ip6Daddr,
    ThSport,
    ThDport,
    IcmpType,
    IcmpCode,
    Icmpv6Type,
    Icmpv6Code,
    CtStatus,
}
