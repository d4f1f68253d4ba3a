using Calico.Linux.Interop;
using Calico.Linux.Netlink;
using static Calico.Linux.Nft.NfTablesSetsAttributes;

namespace Calico.Linux.Nft;

/// <summary>
/// NEWSET bodies for named sets and verdict maps, attribute for attribute as nft 1.0.6 sends
/// <c>add set inet calico X { type …; [flags interval;] }</c> and <c>add map … { type ifname : verdict; }</c>
/// (checked with <c>nft --debug=mnl</c>): table, name, flags, key type and length, [data type and length], the batch's
/// set id, [DESC with the concatenation's unpadded field lengths — interval concatenations only], userdata.
/// </summary>
internal static class NfTablesSetsDeclaration
{
    /// <summary>Writes the NEWSET attributes for a set declared as <paramref name="kind"/> says.</summary>
    public static void WriteNewSet(NetlinkWriter writer, string table, string name, NftSetKind kind, uint id)
    {
        Shape shape = ShapeOf(kind);
        writer.PutString(NfTablesRuleAttributes.NFTA_SET_TABLE, table);
        writer.PutString(NfTablesRuleAttributes.NFTA_SET_NAME, name);
        writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_SET_FLAGS, shape.Flags);
        writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_SET_KEY_TYPE, shape.KeyType);
        writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_SET_KEY_LEN, (uint)shape.KeyLength);
        writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_SET_ID, id);
        if ((shape.Flags & NFT_SET_CONCAT) != 0)
        {
            // The pipapo backend sizes its fields from these; nft only sends them with the CONCAT flag (interval).
            int desc = writer.BeginNested(NfTablesRuleAttributes.NFTA_SET_DESC);
            int concat = writer.BeginNested(NFTA_SET_DESC_CONCAT);
            foreach (int fieldLength in shape.FieldLengths)
            {
                int field = writer.BeginNested(NfNetlink.NFTA_LIST_ELEM);
                writer.PutBigEndianUInt32(NFTA_SET_FIELD_LEN, (uint)fieldLength);
                writer.EndNested(field);
            }

            writer.EndNested(concat);
            writer.EndNested(desc);
        }

        Span<byte> userData = stackalloc byte[16];
        int length = WriteSetUserData(userData, shape.FieldLengths.Length > 1);
        writer.PutAttribute(NfTablesRuleAttributes.NFTA_SET_USERDATA, userData[..length]);
    }

    /// <summary>Writes the NEWSET attributes of <c>map X { type ifname : verdict; }</c>.</summary>
    public static void WriteNewVerdictMap(NetlinkWriter writer, string table, string name, uint id)
    {
        writer.PutString(NfTablesRuleAttributes.NFTA_SET_TABLE, table);
        writer.PutString(NfTablesRuleAttributes.NFTA_SET_NAME, name);
        writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_SET_FLAGS, NFT_SET_MAP);
        writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_SET_KEY_TYPE, TYPE_IFNAME);
        writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_SET_KEY_LEN, IfNameKeyLength);
        writer.PutBigEndianUInt32(NFTA_SET_DATA_TYPE, NFT_DATA_VERDICT);
        writer.PutBigEndianUInt32(NFTA_SET_DATA_LEN, 0);
        writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_SET_ID, id);

        // Key byte order host (ifname is a string), data byte order unset, data not an interval: what nft lists from.
        Span<byte> userData = stackalloc byte[18];
        PutUInt32(userData, NFTNL_UDATA_SET_KEYBYTEORDER, BYTEORDER_HOST_ENDIAN);
        PutUInt32(userData[6..], NFTNL_UDATA_SET_DATABYTEORDER, BYTEORDER_INVALID);
        PutUInt32(userData[12..], NFTNL_UDATA_SET_DATA_INTERVAL, 0);
        writer.PutAttribute(NfTablesRuleAttributes.NFTA_SET_USERDATA, userData);
    }

    /// <summary>
    /// libnftnl userdata TLVs nft attaches: the key byte order (big-endian for addresses, none for a concatenation),
    /// and for a concatenation the "typeof" nest nft 1.0.6 records even for <c>type</c> declarations: expression
    /// EXPR_CONCAT with an empty field list.
    /// </summary>
    private static int WriteSetUserData(Span<byte> userData, bool concatenation)
    {
        if (!concatenation)
        {
            PutUInt32(userData, NFTNL_UDATA_SET_KEYBYTEORDER, BYTEORDER_BIG_ENDIAN);
            return 6;
        }

        PutUInt32(userData, NFTNL_UDATA_SET_KEYBYTEORDER, BYTEORDER_INVALID);
        userData[6] = NFTNL_UDATA_SET_KEY_TYPEOF;
        userData[7] = 8;
        PutUInt32(userData[8..], NFTNL_UDATA_SET_TYPEOF_EXPR, EXPR_CONCAT);
        userData[14] = NFTNL_UDATA_SET_TYPEOF_DATA;
        userData[15] = 0;
        return 16;
    }

    private static void PutUInt32(Span<byte> destination, byte type, uint value)
    {
        destination[0] = type;
        destination[1] = 4;
        HostOrder.WriteUInt32(destination[2..], value);
    }

    private static Shape ShapeOf(NftSetKind kind) => kind switch
    {
        NftSetKind.Ipv4Addr => new Shape(0, TYPE_IPADDR, [4]),
        NftSetKind.Ipv6Addr => new Shape(0, TYPE_IP6ADDR, [16]),
        NftSetKind.Ipv4Prefix => new Shape(NfTablesRuleAttributes.NFT_SET_INTERVAL, TYPE_IPADDR, [4]),
        NftSetKind.Ipv6Prefix => new Shape(NfTablesRuleAttributes.NFT_SET_INTERVAL, TYPE_IP6ADDR, [16]),
        NftSetKind.Ipv4PortConcat => new Shape(0, Concat(TYPE_IPADDR, TYPE_INET_PROTOCOL, TYPE_INET_SERVICE), [4, 1, 2]),
        NftSetKind.Ipv6PortConcat => new Shape(0, Concat(TYPE_IP6ADDR, TYPE_INET_PROTOCOL, TYPE_INET_SERVICE), [16, 1, 2]),
        NftSetKind.Ipv4ProtoInterval => new Shape(IntervalConcat, Concat(TYPE_IPADDR, TYPE_INET_PROTOCOL), [4, 1]),
        NftSetKind.Ipv6ProtoInterval => new Shape(IntervalConcat, Concat(TYPE_IP6ADDR, TYPE_INET_PROTOCOL), [16, 1]),
        NftSetKind.Ipv4ProtoPortInterval => new Shape(IntervalConcat, Concat(TYPE_IPADDR, TYPE_INET_PROTOCOL, TYPE_INET_SERVICE), [4, 1, 2]),
        NftSetKind.Ipv6ProtoPortInterval => new Shape(IntervalConcat, Concat(TYPE_IP6ADDR, TYPE_INET_PROTOCOL, TYPE_INET_SERVICE), [16, 1, 2]),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an NftSetKind"),
    };

    private const uint IntervalConcat = NfTablesRuleAttributes.NFT_SET_INTERVAL | NFT_SET_CONCAT;

    private static uint Concat(params uint[] types)
    {
        uint folded = 0;
        foreach (uint type in types)
        {
            folded = (folded << ConcatTypeBits) | type;
        }

        return folded;
    }

    /// <summary>Flags, key type and the unpadded field lengths; the key length pads each field to 4 bytes.</summary>
    private readonly record struct Shape(uint Flags, uint KeyType, int[] FieldLengths)
    {
        public int KeyLength
        {
            get
            {
                int length = 0;
                foreach (int fieldLength in FieldLengths)
                {
                    length += (fieldLength + 3) & ~3;
                }

                return length;
            }
        }
    }
}
