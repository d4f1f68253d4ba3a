namespace Calico.Linux.Interop;

/// <summary>
/// Numbers from linux/netfilter/nfnetlink.h and linux/netfilter/nf_tables.h (the socket options are in
/// <see cref="LibC"/>). nf_tables attribute integers are big-endian (unlike rtnetlink's host order).
/// </summary>
internal static class NfNetlink
{
    /// <summary>struct nfgenmsg { __u8 nfgen_family; __u8 version; __be16 res_id; }.</summary>
    public const int NfGenMsgLength = 4;
    public const byte NFNETLINK_V0 = 0;
    public const ushort NFNL_SUBSYS_NFTABLES = 10;
    public const ushort NFNL_MSG_BATCH_BEGIN = 16;
    public const ushort NFNL_MSG_BATCH_END = 17;

    // nf_tables message types, sent as (NFNL_SUBSYS_NFTABLES << 8) | type.
    public const ushort NFT_MSG_NEWSETELEM = 12;
    public const ushort NFT_MSG_DELSETELEM = 14;

    // enum nft_set_elem_list_attributes
    public const ushort NFTA_SET_ELEM_LIST_TABLE = 1;
    public const ushort NFTA_SET_ELEM_LIST_SET = 2;
    public const ushort NFTA_SET_ELEM_LIST_ELEMENTS = 3;

    // enum nft_list_attributes
    public const ushort NFTA_LIST_ELEM = 1;

    // enum nft_set_elem_attributes
    public const ushort NFTA_SET_ELEM_KEY = 1;
    public const ushort NFTA_SET_ELEM_FLAGS = 3;
    public const ushort NFTA_SET_ELEM_USERDATA = 6;

    /// <summary>The inclusive end of a concatenated range (pipapo sets), in the same element as the key.</summary>
    public const ushort NFTA_SET_ELEM_KEY_END = 10;

    // enum nft_data_attributes
    public const ushort NFTA_DATA_VALUE = 1;

    public const uint NFT_SET_ELEM_INTERVAL_END = 0x1;

    /// <summary>libnftnl's element userdata TLV NFTNL_UDATA_SET_ELEM_FLAGS (type 1, u32 in host order).</summary>
    public const byte NFTNL_UDATA_SET_ELEM_FLAGS = 1;

    /// <summary>NFTNL_SET_ELEM_F_INTERVAL_OPEN: the interval runs to the top of the address space (no end element).</summary>
    public const uint NFTNL_SET_ELEM_F_INTERVAL_OPEN = 0x1;

    // nfproto families (linux/netfilter.h)
    public const byte NFPROTO_INET = 1;
    public const byte NFPROTO_IPV4 = 2;
    public const byte NFPROTO_ARP = 3;
    public const byte NFPROTO_NETDEV = 5;
    public const byte NFPROTO_BRIDGE = 7;
    public const byte NFPROTO_IPV6 = 10;

    public static ushort MessageType(ushort nftMessage) => (ushort)((NFNL_SUBSYS_NFTABLES << 8) | nftMessage);
}
