using System.Buffers.Binary;
using Calico.Linux.Interop;
using Calico.Linux.Netlink;

namespace Calico.Linux.Nft;

/// <summary>
/// One nf_tables expression of a compiled rule (NFTA_LIST_ELEM { NFTA_EXPR_NAME, NFTA_EXPR_DATA }), with exactly the
/// attributes nft 1.0.6 sends for it (checked with <c>nft --debug=mnl</c>). Register numbers follow nft: 1 is the first
/// 16-byte register, 8 + n a 32-bit register inside a concatenation. Values are the raw register bytes (big-endian for
/// packet fields, host order for meta mark and ct state).
/// </summary>
internal abstract partial class NftExpression
{
    public const uint VerdictRegister = 0;
    public const uint Register1 = 1;

    private NftExpression(string name) => Name = name;

    public string Name { get; }

    public static NftExpression MetaLoad(uint key, uint register = Register1) => new Meta(key, register, load: true);

    public static NftExpression MetaSet(uint key) => new Meta(key, Register1, load: false);

    public static NftExpression Payload(uint payloadBase, uint offset, uint length, uint register = Register1) =>
        new PayloadLoad(payloadBase, offset, length, register);

    public static NftExpression Compare(uint op, byte[] data) => new Cmp(op, data);

    public static NftExpression Bitwise(byte[] mask, byte[] xor, bool sendOperation) => new BitwiseBool(mask, xor, sendOperation);

    public static NftExpression Range(uint op, byte[] from, byte[] to) => new RangeMatch(op, from, to);

    public static NftExpression LookupNamed(string set, bool invert, bool verdictMap) => new Lookup(set, -1, invert, verdictMap);

    /// <summary>A lookup in the rule's <paramref name="anonymousSet"/>-th anonymous set (its batch id is assigned at encoding).</summary>
    public static NftExpression LookupAnonymous(int anonymousSet, bool invert) => new Lookup(NfTablesRuleAttributes.AnonymousSetName, anonymousSet, invert, verdictMap: false);

    public static NftExpression HostToNetwork(uint register, uint length, uint size) => new ByteOrder(register, length, size);

    public static NftExpression CtLoad(uint key) => new Ct(key);

    public static NftExpression Counter() => new Simple("counter");

    public static NftExpression NoTrack() => new Simple("notrack");

    public static NftExpression Masquerade(uint flags) => new Masq(flags);

    public static NftExpression Verdict(int code, string? chain) => new Immediate(code, chain);

    /// <summary>A route lookup (<c>fib</c>) into register 1; <paramref name="flags"/> are NFTA_FIB_F_*.</summary>
    public static NftExpression Fib(uint flags, uint result) => new FibLookup(flags, result);

    /// <summary>Writes NFTA_LIST_ELEM; <paramref name="anonymousSetIds"/> maps the rule's anonymous sets to batch ids.</summary>
    public void Write(NetlinkWriter writer, ReadOnlySpan<uint> anonymousSetIds)
    {
        int element = writer.BeginNested(NfNetlink.NFTA_LIST_ELEM);
        writer.PutString(NfTablesRuleAttributes.NFTA_EXPR_NAME, Name);
        int data = writer.BeginNested(NfTablesRuleAttributes.NFTA_EXPR_DATA);
        WriteData(writer, anonymousSetIds);
        writer.EndNested(data);
        writer.EndNested(element);
    }

    protected abstract void WriteData(NetlinkWriter writer, ReadOnlySpan<uint> anonymousSetIds);

    private static void PutData(NetlinkWriter writer, ushort type, ReadOnlySpan<byte> value)
    {
        int nest = writer.BeginNested(type);
        writer.PutAttribute(NfNetlink.NFTA_DATA_VALUE, value);
        writer.EndNested(nest);
    }

    private sealed class Meta(uint key, uint register, bool load) : NftExpression("meta")
    {
        protected override void WriteData(NetlinkWriter writer, ReadOnlySpan<uint> anonymousSetIds)
        {
            writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_META_KEY, key);
            writer.PutBigEndianUInt32(load ? NfTablesRuleAttributes.NFTA_META_DREG : NfTablesRuleAttributes.NFTA_META_SREG, register);
        }
    }

    private sealed class PayloadLoad(uint payloadBase, uint offset, uint length, uint register) : NftExpression("payload")
    {
        protected override void WriteData(NetlinkWriter writer, ReadOnlySpan<uint> anonymousSetIds)
        {
            writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_PAYLOAD_DREG, register);
            writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_PAYLOAD_BASE, payloadBase);
            writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_PAYLOAD_OFFSET, offset);
            writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_PAYLOAD_LEN, length);
        }
    }

    private sealed class Cmp(uint op, byte[] data) : NftExpression("cmp")
    {
        protected override void WriteData(NetlinkWriter writer, ReadOnlySpan<uint> anonymousSetIds)
        {
            writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_CMP_SREG, Register1);
            writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_CMP_OP, op);
            PutData(writer, NfTablesRuleAttributes.NFTA_CMP_DATA, data);
        }
    }

    private sealed class BitwiseBool(byte[] mask, byte[] xor, bool sendOperation) : NftExpression("bitwise")
    {
        protected override void WriteData(NetlinkWriter writer, ReadOnlySpan<uint> anonymousSetIds)
        {
            writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_BITWISE_SREG, Register1);
            writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_BITWISE_DREG, Register1);
            if (sendOperation)
            {
                // nft names the (default) boolean operation only for mark arithmetic; the kernel stores the same either way.
                writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_BITWISE_OP, NfTablesRuleAttributes.NFT_BITWISE_BOOL);
            }

            writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_BITWISE_LEN, (uint)mask.Length);
            PutData(writer, NfTablesRuleAttributes.NFTA_BITWISE_MASK, mask);
            PutData(writer, NfTablesRuleAttributes.NFTA_BITWISE_XOR, xor);
        }
    }

    private sealed class RangeMatch(uint op, byte[] from, byte[] to) : NftExpression("range")
    {
        protected override void WriteData(NetlinkWriter writer, ReadOnlySpan<uint> anonymousSetIds)
        {
            writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_RANGE_SREG, Register1);
            writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_RANGE_OP, op);
            PutData(writer, NfTablesRuleAttributes.NFTA_RANGE_FROM_DATA, from);
            PutData(writer, NfTablesRuleAttributes.NFTA_RANGE_TO_DATA, to);
        }
    }

    private sealed class Lookup(string set, int anonymousSet, bool invert, bool verdictMap) : NftExpression("lookup")
    {
        protected override void WriteData(NetlinkWriter writer, ReadOnlySpan<uint> anonymousSetIds)
        {
            writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_LOOKUP_SREG, Register1);
            if (verdictMap)
            {
                writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_LOOKUP_DREG, VerdictRegister);
            }

            writer.PutString(NfTablesRuleAttributes.NFTA_LOOKUP_SET, set);
            if (anonymousSet >= 0)
            {
                // The kernel finds a set created in the same batch by its id: its name is only allocated at commit.
                writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_LOOKUP_SET_ID, anonymousSetIds[anonymousSet]);
            }

            if (invert)
            {
                writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_LOOKUP_FLAGS, NfTablesRuleAttributes.NFT_LOOKUP_F_INV);
            }
        }
    }

    private sealed class ByteOrder(uint register, uint length, uint size) : NftExpression("byteorder")
    {
        protected override void WriteData(NetlinkWriter writer, ReadOnlySpan<uint> anonymousSetIds)
        {
            writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_BYTEORDER_SREG, register);
            writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_BYTEORDER_DREG, register);
            writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_BYTEORDER_OP, NfTablesRuleAttributes.NFT_BYTEORDER_HTON);
            writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_BYTEORDER_LEN, length);
            writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_BYTEORDER_SIZE, size);
        }
    }

    private sealed class Ct(uint key) : NftExpression("ct")
    {
        protected override void WriteData(NetlinkWriter writer, ReadOnlySpan<uint> anonymousSetIds)
        {
            writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_CT_KEY, key);
            writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_CT_DREG, Register1);
        }
    }

    private sealed class Simple(string name) : NftExpression(name)
    {
        protected override void WriteData(NetlinkWriter writer, ReadOnlySpan<uint> anonymousSetIds)
        {
        }
    }

    private sealed class Masq(uint flags) : NftExpression("masq")
    {
        protected override void WriteData(NetlinkWriter writer, ReadOnlySpan<uint> anonymousSetIds)
        {
            if (flags != 0)
            {
                writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_MASQ_FLAGS, flags);
            }
        }
    }

    private sealed class FibLookup(uint flags, uint result) : NftExpression("fib")
    {
        protected override void WriteData(NetlinkWriter writer, ReadOnlySpan<uint> anonymousSetIds)
        {
            // nft's order: flags, result, register.
            writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_FIB_FLAGS, flags);
            writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_FIB_RESULT, result);
            writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_FIB_DREG, Register1);
        }
    }

    private sealed class Immediate(int code, string? chain) : NftExpression("immediate")
    {
        protected override void WriteData(NetlinkWriter writer, ReadOnlySpan<uint> anonymousSetIds)
        {
            writer.PutBigEndianUInt32(NfTablesRuleAttributes.NFTA_IMMEDIATE_DREG, VerdictRegister);
            NfTablesVerdict.Write(writer, NfTablesRuleAttributes.NFTA_IMMEDIATE_DATA, code, chain);
        }
    }
}
