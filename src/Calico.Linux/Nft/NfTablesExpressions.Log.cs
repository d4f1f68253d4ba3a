using System.Buffers.Binary;
using Calico.Linux.Netlink;

namespace Calico.Linux.Nft;

internal abstract partial class NftExpression
{
    // enum nft_log_attributes (linux/netfilter/nf_tables.h)
    private const ushort NFTA_LOG_GROUP = 1;
    private const ushort NFTA_LOG_SNAPLEN = 3;
    private const ushort NFTA_LOG_QTHRESHOLD = 4;

    /// <summary>A <c>log</c> expression with nft's attributes in libnftnl's order: prefix, group, snaplen, qthreshold.</summary>
    public static NftExpression Log(string? prefix, ushort? group, uint? snaplen, ushort? queueThreshold) =>
        new LogGroup(prefix, group, snaplen, queueThreshold);

    private sealed class LogGroup(string? prefix, ushort? group, uint? snaplen, ushort? queueThreshold) : NftExpression("log")
    {
        protected override void WriteData(NetlinkWriter writer, ReadOnlySpan<uint> anonymousSetIds)
        {
            if (prefix is not null)
            {
                writer.PutString(NfTablesRuleAttributes.NFTA_LOG_PREFIX, prefix);
            }

            Span<byte> be16 = stackalloc byte[2];
            if (group is ushort g)
            {
                BinaryPrimitives.WriteUInt16BigEndian(be16, g);
                writer.PutAttribute(NFTA_LOG_GROUP, be16);
            }

            if (snaplen is uint s)
            {
                writer.PutBigEndianUInt32(NFTA_LOG_SNAPLEN, s);
            }

            if (queueThreshold is ushort q)
            {
                BinaryPrimitives.WriteUInt16BigEndian(be16, q);
                writer.PutAttribute(NFTA_LOG_QTHRESHOLD, be16);
            }
        }
    }
}
