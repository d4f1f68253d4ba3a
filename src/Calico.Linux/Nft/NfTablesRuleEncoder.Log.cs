using Calico.Nftables;

namespace Calico.Linux.Nft;

internal sealed partial class NfTablesRuleEncoder
{
    /// <summary>
    /// <c>log [prefix "text"] [group N [snaplen S] [queue-threshold Q]]</c>: one <c>log</c> expression, as nft 1.0.6 sends
    /// it (a prefix longer than 127 bytes or not printable ASCII is refused, as nft would).
    /// </summary>
    private void EncodeLog(NftLog log)
    {
        if (log.Prefix is { } prefix && (prefix.Length > 127 || !IsPrintableAscii(prefix)))
        {
            throw new UnsupportedException("log wants prefix \"text\" (printable, at most 127 characters)");
        }

        _expressions.Add(NftExpression.Log(log.Prefix, log.Group, log.Snaplen, log.QueueThreshold));
    }
}
