using Calico.Nftables;
using static Calico.Linux.Nft.NfTablesRuleAttributes;

namespace Calico.Linux.Nft;

/// <summary>
/// The key fields a match or concatenation can use, each with what nft needs to know about it: how it is loaded,
/// its length, the dependency it implies, and what nft writes into an anonymous set keyed by it (datatype id, byte
/// order, and the "typeof" description: expression type 7 payload {protocol description, template field} or 9 meta {key}).
/// </summary>
internal sealed partial class NfTablesRuleEncoder
{
    private enum FieldKind
    {
        Address,
        Port,
        Number,
    }

    /// <summary>The key field of a payload or <c>meta l4proto</c> match; the other fields have their own encodings.</summary>
    private static Field FieldOf(NftField field) => field switch
    {
        NftField.IpSaddr => Field.IpSaddr,
        NftField.IpDaddr => Field.IpDaddr,
        NftField.Ip6Saddr => Field.Ip6Saddr,
        NftField.Ip6Daddr => Field.Ip6Daddr,
        NftField.ThSport => Field.ThSport,
        NftField.ThDport => Field.ThDport,
        NftField.IcmpType => Field.IcmpType,
        NftField.IcmpCode => Field.IcmpCode,
        NftField.Icmpv6Type => Field.Icmpv6Type,
        NftField.Icmpv6Code => Field.Icmpv6Code,
        NftField.MetaL4proto => Field.MetaL4proto,
        _ => throw new UnsupportedException($"{NftFields.TextOf(field)} in a concatenation or with this value"),
    };

    /// <summary>One concatenable key field.</summary>
    private sealed class Field
    {
        public static readonly Field IpSaddr = Payload("ip saddr", FieldKind.Address, NFT_PAYLOAD_NETWORK_HEADER, 12, 4, 7, 12, 11, network: 4, transport: -1);
        public static readonly Field IpDaddr = Payload("ip daddr", FieldKind.Address, NFT_PAYLOAD_NETWORK_HEADER, 16, 4, 7, 12, 12, network: 4, transport: -1);
        public static readonly Field Ip6Saddr = Payload("ip6 saddr", FieldKind.Address, NFT_PAYLOAD_NETWORK_HEADER, 8, 16, 8, 13, 8, network: 6, transport: -1);
        public static readonly Field Ip6Daddr = Payload("ip6 daddr", FieldKind.Address, NFT_PAYLOAD_NETWORK_HEADER, 24, 16, 8, 13, 9, network: 6, transport: -1);
        public static readonly Field ThSport = Payload("th sport", FieldKind.Port, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2, 13, 11, 1, network: 0, transport: -1);
        public static readonly Field ThDport = Payload("th dport", FieldKind.Port, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, 13, 11, 2, network: 0, transport: -1);
        public static readonly Field IcmpType = Payload("icmp type", FieldKind.Number, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1, 14, 4, 1, network: 4, transport: 1);
        public static readonly Field IcmpCode = Payload("icmp code", FieldKind.Number, NFT_PAYLOAD_TRANSPORT_HEADER, 1, 1, 32, 4, 2, network: 4, transport: 1);
        public static readonly Field Icmpv6Type = Payload("icmpv6 type", FieldKind.Number, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1, 29, 14, 1, network: 6, transport: 58);
        public static readonly Field Icmpv6Code = Payload("icmpv6 code", FieldKind.Number, NFT_PAYLOAD_TRANSPORT_HEADER, 1, 1, 33, 14, 2, network: 6, transport: 58);

        /// <summary>meta l4proto: host byte order (nft's set key byte order 1), typeof meta key 16.</summary>
        public static readonly Field MetaL4proto = new(
            "meta l4proto", FieldKind.Number, isMeta: true, 0, NFT_META_L4PROTO, 1, 12, byteOrder: 1, [0, 4, 9, 0, 0, 0, 1, 6, 0, 4, 16, 0, 0, 0], 0, -1);

        private Field(string name, FieldKind kind, bool isMeta, uint payloadBase, uint offsetOrKey, int length, uint dataType, uint byteOrder, byte[] typeOf, int network, int transport)
        {
            Name = name;
            Kind = kind;
            IsMeta = isMeta;
            PayloadBase = payloadBase;
            OffsetOrKey = offsetOrKey;
            Length = length;
            DataType = dataType;
            ByteOrder = byteOrder;
            TypeOf = typeOf;
            Network = network;
            Transport = transport;
        }

        public string Name { get; }

        public FieldKind Kind { get; }

        public bool IsMeta { get; }

        public uint PayloadBase { get; }

        public uint OffsetOrKey { get; }

        public int Length { get; }

        /// <summary>nft's datatype id (enum datatypes), the set's key type; concatenations fold them 6 bits each.</summary>
        public uint DataType { get; }

        /// <summary>nft's byte order of the key: 1 host, 2 big-endian.</summary>
        public uint ByteOrder { get; }

        /// <summary>The NFTNL_UDATA_SET_TYPEOF_EXPR and _DATA TLVs describing this field.</summary>
        public byte[] TypeOf { get; }

        /// <summary>The family the field implies (4, 6) or 0.</summary>
        public int Network { get; }

        /// <summary>The l4 protocol the field implies, or -1.</summary>
        public int Transport { get; }

        public int Bits => Length * 8;

        public NftExpression Load(uint register, int length) => IsMeta
            ? NftExpression.MetaLoad(OffsetOrKey, register)
            : NftExpression.Payload(PayloadBase, OffsetOrKey, (uint)length, register);

        private static Field Payload(string name, FieldKind kind, uint payloadBase, uint offset, int length, uint dataType, byte description, byte template, int network, int transport) =>
            new(name, kind, isMeta: false, payloadBase, offset, length, dataType, byteOrder: 2,
                [0, 4, 7, 0, 0, 0, 1, 12, 0, 4, description, 0, 0, 0, 1, 4, template, 0, 0, 0], network, transport);
    }
}
