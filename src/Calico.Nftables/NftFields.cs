namespace Calico.Nftables;

/// <summary>nft's spelling of each <see cref="NftField"/>.</summary>
public static class NftFields
{
    public static string TextOf(NftField field) => field switch
    {
        NftField.MetaNfproto => "meta nfproto",
        NftField.MetaL4proto => "meta l4proto",
        NftField.IifName => "iifname",
        NftField.OifName => "oifname",
        NftField.CtState => "ct state",
        NftField.CtStatus => "ct status",
        NftField.IpSaddr => "ip saddr",
        NftField.IpDaddr => "ip daddr",
        NftField.Ip6Saddr => "ip6 saddr",
        NftField.Ip6Daddr => "ip6 daddr",
        NftField.ThSport => "th sport",
        NftField.ThDport => "th dport",
        NftField.IcmpType => "icmp type",
        NftField.IcmpCode => "icmp code",
        NftField.Icmpv6Type => "icmpv6 type",
        NftField.Icmpv6Code => "icmpv6 code",
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };

    /// <summary>The source or destination address field of a family (4 or 6).</summary>
    public static NftField Address(int family, bool source) => (family, source) switch
    {
        (4, true) => NftField.IpSaddr,
        (4, false) => NftField.IpDaddr,
        (6, true) => NftField.Ip6Saddr,
        (6, false) => NftField.Ip6Daddr,
        _ => throw new ArgumentOutOfRangeException(nameof(family), "want 4 or 6"),
    };
}
