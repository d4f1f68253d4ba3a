using System.Globalization;
using System.Text;

namespace Calico.Nftables;

/// <summary>
/// <c>log [prefix "text"] [group N [snaplen S] [queue-threshold Q]]</c>, in nft's order. Without a group the packet goes
/// to the kernel log; with one, to nfnetlink_log listeners of that group (NFLOG), copying at most
/// <see cref="Snaplen"/> bytes and batching up to <see cref="QueueThreshold"/> packets per message.
/// </summary>
public sealed class NftLog : NftStatement
{
    public NftLog(string prefix)
        : this(prefix, group: null)
    {
        ArgumentNullException.ThrowIfNull(prefix);
    }

    public NftLog(string? prefix, ushort? group, uint? snaplen = null, ushort? queueThreshold = null)
    {
        if (prefix is not null && prefix.Contains('"', StringComparison.Ordinal))
        {
            throw new ArgumentException("a log prefix cannot hold a quote", nameof(prefix));
        }

        if (group is null && (snaplen is not null || queueThreshold is not null))
        {
            throw new ArgumentException("snaplen and queue-threshold need a group", nameof(group));
        }

        Prefix = prefix;
        Group = group;
        Snaplen = snaplen;
        QueueThreshold = queueThreshold;
    }

    /// <summary>The prefix, or null for none.</summary>
    public string? Prefix { get; }

    /// <summary>The NFLOG group, or null to log to the kernel log.</summary>
    public ushort? Group { get; }

    public uint? Snaplen { get; }

    public ushort? QueueThreshold { get; }

    internal override void WriteTo(StringBuilder sb)
    {
        sb.Append("log");
        if (Prefix is not null)
        {
            sb.Append(" prefix \"").Append(Prefix).Append('"');
        }

        if (Group is ushort group)
        {
            sb.Append(" group ").Append(group.ToString(CultureInfo.InvariantCulture));
        }

        if (Snaplen is uint snaplen)
        {
            sb.Append(" snaplen ").Append(snaplen.ToString(CultureInfo.InvariantCulture));
        }

        if (QueueThreshold is ushort threshold)
        {
            sb.Append(" queue-threshold ").Append(threshold.ToString(CultureInfo.InvariantCulture));
        }
    }
}
