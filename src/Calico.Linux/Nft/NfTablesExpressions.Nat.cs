using Calico.Linux.Netlink;
using static Calico.Linux.Nft.NfTablesNatAttributes;

namespace Calico.Linux.Nft;

/// <summary>The NAT expressions: <c>immediate</c> of a value into a register, <c>nat</c>, and <c>masq</c> with ports.</summary>
internal abstract partial class NftExpression
{
    /// <summary><c>immediate reg N value</c>: an address (4 or 16 bytes) or a port (2 bytes, network order).</summary>
    public static NftExpression ImmediateData(uint register, byte[] value) => new ImmediateValue(register, value);

    /// <summary>
    /// <c>nat snat|dnat ip|ip6 addr_min reg A [proto_min reg P [proto_max reg Q]] [flags]</c>, in nft's attribute order;
    /// a zero <paramref name="protoMinRegister"/> or <paramref name="protoMaxRegister"/> is left out.
    /// </summary>
    public static NftExpression Nat(uint type, uint family, uint addressRegister, uint protoMinRegister, uint protoMaxRegister, uint flags) =>
        new NatExpression(type, family, addressRegister, protoMinRegister, protoMaxRegister, flags);

    /// <summary><c>masq flags F proto_min reg P [proto_max reg Q]</c>: nft sends the flags first here (without ports: <see cref="Masquerade"/>).</summary>
    public static NftExpression MasqueradePorts(uint flags, uint protoMinRegister, uint protoMaxRegister) =>
        new MasqPorts(flags, protoMinRegister, protoMaxRegister);

    private sealed class ImmediateValue(uint register, byte[] value) : NftExpression("immediate")
    {
        protected override void WriteData(NetlinkWriter writer, ReadOnlySpan<uint> anonymousSetIds)
        {
            writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_IMMEDIATE_DREG, register);
            PutData(writer, NfTablesRuleAttributes.NFTA_IMMEDIATE_DATA, value);
        }
    }

    private sealed class NatExpression(uint type, uint family, uint addressRegister, uint protoMinRegister, uint protoMaxRegister, uint flags)
        : NftExpression("nat")
    {
        protected override void WriteData(NetlinkWriter writer, ReadOnlySpan<uint> anonymousSetIds)
        {
            writer.PutBigEndianUInt32(NFTA_NAT_TYPE, type);
            writer.PutBigEndianUInt32(NFTA_NAT_FAMILY, family);
            writer.PutBigEndianUInt32(NFTA_NAT_REG_ADDR_MIN, addressRegister);
            if (protoMinRegister != 0)
            {
                writer.PutBigEndianUInt32(NFTA_NAT_REG_PROTO_MIN, protoMinRegister);
            }

            if (protoMaxRegister != 0)
            {
                writer.PutBigEndianUInt32(NFTA_NAT_REG_PROTO_MAX, protoMaxRegister);
            }

            if (flags != 0)
            {
                writer.PutBigEndianUInt32(NFTA_NAT_FLAGS, flags);
            }
        }
    }

    private sealed class MasqPorts(uint flags, uint protoMinRegister, uint protoMaxRegister) : NftExpression("masq")
    {
        protected override void WriteData(NetlinkWriter writer, ReadOnlySpan<uint> anonymousSetIds)
        {
            if (flags != 0)
            {
                writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_MASQ_FLAGS, flags);
            }

            if (protoMinRegister != 0)
            {
                writer.PutBigEndianUInt32(NFTA_MASQ_REG_PROTO_MIN, protoMinRegister);
            }

            if (protoMaxRegister != 0)
            {
                writer.PutBigEndianUInt32(NFTA_MASQ_REG_PROTO_MAX, protoMaxRegister);
            }
        }
    }
}
