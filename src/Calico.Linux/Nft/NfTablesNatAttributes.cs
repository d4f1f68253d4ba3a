namespace Calico.Linux.Nft;

/// <summary>Numbers from linux/netfilter/nf_tables.h and nf_nat.h for the <c>nat</c> and <c>masq</c> expressions.</summary>
internal static class NfTablesNatAttributes
{
    // enum nft_nat_attributes
    public const ushort NFTA_NAT_TYPE = 1;
    public const ushort NFTA_NAT_FAMILY = 2;
    public const ushort NFTA_NAT_REG_ADDR_MIN = 3;
    public const ushort NFTA_NAT_REG_ADDR_MAX = 4;
    public const ushort NFTA_NAT_REG_PROTO_MIN = 5;
    public const ushort NFTA_NAT_REG_PROTO_MAX = 6;
    public const ushort NFTA_NAT_FLAGS = 7;

    // enum nft_nat_types
    public const uint NFT_NAT_SNAT = 0;
    public const uint NFT_NAT_DNAT = 1;

    // enum nft_masq_attributes (NFTA_MASQ_FLAGS, 1, is in NfTablesRuleAttributes)
    public const ushort NFTA_MASQ_REG_PROTO_MIN = 2;
    public const ushort NFTA_MASQ_REG_PROTO_MAX = 3;

    // NF_NAT_RANGE_* (nf_nat.h; NF_NAT_RANGE_PROTO_RANDOM_FULLY, 0x10, is in NfTablesRuleAttributes)
    public const uint NF_NAT_RANGE_PROTO_SPECIFIED = 0x2;
    public const uint NF_NAT_RANGE_PROTO_RANDOM = 0x4;
    public const uint NF_NAT_RANGE_PERSISTENT = 0x8;

    // NFPROTO_*
    public const uint NFPROTO_IPV4 = 2;
    public const uint NFPROTO_IPV6 = 10;
}
