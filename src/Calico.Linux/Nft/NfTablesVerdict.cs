using System.Buffers.Binary;
using Calico.Linux.Interop;
using Calico.Linux.Netlink;

namespace Calico.Linux.Nft;

/// <summary>A verdict as nf_tables carries it, in an immediate expression's data or a verdict map element's data.</summary>
internal static class NfTablesVerdict
{
    /// <summary>Writes <c>outer { NFTA_DATA_VERDICT { code, [chain] } }</c>.</summary>
    public static void Write(NetlinkWriter writer, ushort outerAttribute, int code, string? chain)
    {
        int data = writer.BeginNested(outerAttribute);
        int verdict = writer.BeginNested(NfTablesRuleAttributes.NFTA_DATA_VERDICT);
        Span<byte> codeBytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(codeBytes, code);
        writer.PutAttribute(NfTablesRuleAttributes.NFTA_VERDICT_CODE, codeBytes);
        if (chain is not null)
        {
            writer.PutString(NfTablesRuleAttributes.NFTA_VERDICT_CHAIN, chain);
        }

        writer.EndNested(verdict);
        writer.EndNested(data);
    }
}
