namespace Calico.Linux.Nft;

/// <summary>
/// Numbers from linux/netfilter/nf_tables.h and libnftnl's udata.h for named sets and verdict maps (the ones anonymous
/// sets share live in <see cref="NfTablesRuleAttributes"/>), and nft's datatype ids for the keys Calico declares.
/// </summary>
internal static class NfTablesSetsAttributes
{
    public const ushort NFT_MSG_DELSET = 11;

    // enum nft_set_attributes
    public const ushort NFTA_SET_DATA_TYPE = 6;
    public const ushort NFTA_SET_DATA_LEN = 7;

    // enum nft_set_desc_attributes / nft_set_field_attributes
    public const ushort NFTA_SET_DESC_CONCAT = 2;
    public const ushort NFTA_SET_FIELD_LEN = 1;

    public const uint NFT_SET_MAP = 0x8;
    public const uint NFT_SET_CONCAT = 0x80;

    /// <summary>NFT_DATA_VERDICT: the data type of a verdict map.</summary>
    public const uint NFT_DATA_VERDICT = 0xffffff00;

    // enum nft_set_elem_attributes
    public const ushort NFTA_SET_ELEM_DATA = 2;

    // nft's enum datatypes
    public const uint TYPE_IPADDR = 7;
    public const uint TYPE_IP6ADDR = 8;
    public const uint TYPE_INET_PROTOCOL = 12;
    public const uint TYPE_INET_SERVICE = 13;
    public const uint TYPE_IFNAME = 41;

    /// <summary>nft folds a concatenation's datatypes into one key type, 6 bits per field (TYPE_BITS).</summary>
    public const int ConcatTypeBits = 6;

    // libnftnl enum nftnl_udata_set_types
    public const byte NFTNL_UDATA_SET_KEYBYTEORDER = 0;
    public const byte NFTNL_UDATA_SET_DATABYTEORDER = 1;
    public const byte NFTNL_UDATA_SET_KEY_TYPEOF = 3;
    public const byte NFTNL_UDATA_SET_DATA_INTERVAL = 6;

    // libnftnl enum nftnl_udata_set_typeof_types
    public const byte NFTNL_UDATA_SET_TYPEOF_EXPR = 0;
    public const byte NFTNL_UDATA_SET_TYPEOF_DATA = 1;

    // nft's enum byteorder
    public const uint BYTEORDER_INVALID = 0;
    public const uint BYTEORDER_HOST_ENDIAN = 1;
    public const uint BYTEORDER_BIG_ENDIAN = 2;

    /// <summary>nft's EXPR_CONCAT, which it records as the "typeof" of a concatenated key even when declared by type.</summary>
    public const uint EXPR_CONCAT = 13;

    /// <summary>IFNAMSIZ: an ifname key is the name NUL-padded to 16 bytes.</summary>
    public const int IfNameKeyLength = 16;
}
