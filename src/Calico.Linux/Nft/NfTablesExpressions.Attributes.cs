namespace Calico.Linux.Nft;

/// <summary>
/// Numbers from linux/netfilter/nf_tables.h for chains, rules, anonymous sets and the expressions Calico's rules use
/// (the element-only ones live in <see cref="Interop.NfNetlink"/>), plus libnftnl's userdata TLV types.
/// </summary>
internal static class NfTablesRuleAttributes
{
    // enum nf_tables_msg_types
    public const ushort NFT_MSG_NEWTABLE = 0;
    public const ushort NFT_MSG_NEWCHAIN = 3;
    public const ushort NFT_MSG_DELCHAIN = 5;
    public const ushort NFT_MSG_NEWRULE = 6;
    public const ushort NFT_MSG_DELRULE = 8;
    public const ushort NFT_MSG_NEWSET = 9;

    public const ushort NLM_F_APPEND = 0x800;

    // enum nft_table_attributes
    public const ushort NFTA_TABLE_NAME = 1;

    // enum nft_chain_attributes
    public const ushort NFTA_CHAIN_TABLE = 1;
    public const ushort NFTA_CHAIN_NAME = 3;

    // enum nft_rule_attributes
    public const ushort NFTA_RULE_TABLE = 1;
    public const ushort NFTA_RULE_CHAIN = 2;
    public const ushort NFTA_RULE_EXPRESSIONS = 4;
    public const ushort NFTA_RULE_USERDATA = 7;

    // enum nft_expr_attributes
    public const ushort NFTA_EXPR_NAME = 1;
    public const ushort NFTA_EXPR_DATA = 2;

    // enum nft_set_attributes
    public const ushort NFTA_SET_TABLE = 1;
    public const ushort NFTA_SET_NAME = 2;
    public const ushort NFTA_SET_FLAGS = 3;
    public const ushort NFTA_SET_KEY_TYPE = 4;
    public const ushort NFTA_SET_KEY_LEN = 5;
    public const ushort NFTA_SET_DESC = 9;
    public const ushort NFTA_SET_ID = 10;
    public const ushort NFTA_SET_USERDATA = 13;
    public const ushort NFTA_SET_DESC_SIZE = 1;
    public const ushort NFTA_SET_ELEM_LIST_SET_ID = 4;

    public const uint NFT_SET_ANONYMOUS = 0x1;
    public const uint NFT_SET_CONSTANT = 0x2;
    public const uint NFT_SET_INTERVAL = 0x4;

    /// <summary>nft names every anonymous set so; the kernel allocates __set0, __set1, ... at creation.</summary>
    public const string AnonymousSetName = "__set%d";

    // enum nft_data_attributes / nft_verdict_attributes
    public const ushort NFTA_DATA_VERDICT = 2;
    public const ushort NFTA_VERDICT_CODE = 1;
    public const ushort NFTA_VERDICT_CHAIN = 2;

    public const int NF_DROP = 0;
    public const int NF_ACCEPT = 1;
    public const int NFT_JUMP = -3;
    public const int NFT_GOTO = -4;
    public const int NFT_RETURN = -5;

    public const ushort NFTA_META_DREG = 1;
    public const ushort NFTA_META_KEY = 2;
    public const ushort NFTA_META_SREG = 3;
    public const uint NFT_META_MARK = 3;
    public const uint NFT_META_IIFNAME = 6;
    public const uint NFT_META_OIFNAME = 7;
    public const uint NFT_META_NFPROTO = 15;
    public const uint NFT_META_L4PROTO = 16;

    public const ushort NFTA_CMP_SREG = 1;
    public const ushort NFTA_CMP_OP = 2;
    public const ushort NFTA_CMP_DATA = 3;
    public const uint NFT_CMP_EQ = 0;
    public const uint NFT_CMP_NEQ = 1;
    public const uint NFT_CMP_LTE = 3;
    public const uint NFT_CMP_GTE = 5;

    public const ushort NFTA_PAYLOAD_DREG = 1;
    public const ushort NFTA_PAYLOAD_BASE = 2;
    public const ushort NFTA_PAYLOAD_OFFSET = 3;
    public const ushort NFTA_PAYLOAD_LEN = 4;
    public const uint NFT_PAYLOAD_NETWORK_HEADER = 1;
    public const uint NFT_PAYLOAD_TRANSPORT_HEADER = 2;

    public const ushort NFTA_BITWISE_SREG = 1;
    public const ushort NFTA_BITWISE_DREG = 2;
    public const ushort NFTA_BITWISE_LEN = 3;
    public const ushort NFTA_BITWISE_MASK = 4;
    public const ushort NFTA_BITWISE_XOR = 5;
    public const ushort NFTA_BITWISE_OP = 6;
    public const uint NFT_BITWISE_BOOL = 0;

    public const ushort NFTA_RANGE_SREG = 1;
    public const ushort NFTA_RANGE_OP = 2;
    public const ushort NFTA_RANGE_FROM_DATA = 3;
    public const ushort NFTA_RANGE_TO_DATA = 4;
    public const uint NFT_RANGE_NEQ = 1;

    public const ushort NFTA_LOOKUP_SET = 1;
    public const ushort NFTA_LOOKUP_SREG = 2;
    public const ushort NFTA_LOOKUP_DREG = 3;
    public const ushort NFTA_LOOKUP_SET_ID = 4;
    public const ushort NFTA_LOOKUP_FLAGS = 5;
    public const uint NFT_LOOKUP_F_INV = 1;

    public const ushort NFTA_BYTEORDER_SREG = 1;
    public const ushort NFTA_BYTEORDER_DREG = 2;
    public const ushort NFTA_BYTEORDER_OP = 3;
    public const ushort NFTA_BYTEORDER_LEN = 4;
    public const ushort NFTA_BYTEORDER_SIZE = 5;
    public const uint NFT_BYTEORDER_HTON = 1;

    public const ushort NFTA_CT_DREG = 1;
    public const ushort NFTA_CT_KEY = 2;
    public const uint NFT_CT_STATE = 0;
    public const uint NFT_CT_STATUS = 2; // enum nft_ct_keys: STATE, DIRECTION, STATUS, ...

    public const ushort NFTA_LOG_PREFIX = 2;

    public const ushort NFTA_MASQ_FLAGS = 1;

    public const ushort NFTA_FIB_DREG = 1;
    public const ushort NFTA_FIB_RESULT = 2;
    public const ushort NFTA_FIB_FLAGS = 3;
    public const uint NFT_FIB_RESULT_OIF = 1;

    /// <summary>The route type of the looked-up address (RTN_*): <c>fib daddr type</c>.</summary>
    public const uint NFT_FIB_RESULT_ADDRTYPE = 3;

    /// <summary>RTN_LOCAL: an address of this host (<c>type local</c>).</summary>
    public const uint RTN_LOCAL = 2;
    public const uint NFTA_FIB_F_SADDR = 1;
    public const uint NFTA_FIB_F_DADDR = 2;
    public const uint NFTA_FIB_F_MARK = 4;
    public const uint NFTA_FIB_F_IIF = 8;

    /// <summary><c>oif exists|missing</c>: the register holds a boolean (in a zeroed 32-bit slot), not the ifindex.</summary>
    public const uint NFTA_FIB_F_PRESENT = 32;

    /// <summary>NF_NAT_RANGE_PROTO_RANDOM_FULLY: <c>masquerade fully-random</c>.</summary>
    public const uint NF_NAT_RANGE_PROTO_RANDOM_FULLY = 0x10;

    public const ushort NFTA_IMMEDIATE_DREG = 1;
    public const ushort NFTA_IMMEDIATE_DATA = 2;

    /// <summary>libnftnl's rule userdata TLV NFTNL_UDATA_RULE_COMMENT (NUL-terminated text).</summary>
    public const byte NFTNL_UDATA_RULE_COMMENT = 0;

    /// <summary>nft refuses longer comments (NFTNL_UDATA_COMMENT_MAXLEN).</summary>
    public const int CommentMaxLength = 128;
}
