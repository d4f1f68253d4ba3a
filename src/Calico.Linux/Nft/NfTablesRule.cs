using Calico.Nftables;

namespace Calico.Linux.Nft;

/// <summary>
/// One typed rule (<see cref="NftRule"/>) encoded as the nf_tables expressions nft would send for it, so it can be
/// added over netlink without the <c>nft</c> process.
/// </summary>
public sealed class NfTablesRule
{
    internal NfTablesRule(string text, IReadOnlyList<NftExpression> expressions, IReadOnlyList<NfTablesAnonymousSet> anonymousSets, string? comment)
    {
        Text = text;
        Expressions = expressions;
        AnonymousSets = anonymousSets;
        Comment = comment;
    }

    /// <summary>The rule's nft text (for logs and tests).</summary>
    public string Text { get; }

    /// <summary>The <c>comment "..."</c> text, stored by nft as rule userdata; null when there is none.</summary>
    public string? Comment { get; }

    internal IReadOnlyList<NftExpression> Expressions { get; }

    /// <summary>Sets created in the same batch right before the rule, referred to by index from lookups.</summary>
    internal IReadOnlyList<NfTablesAnonymousSet> AnonymousSets { get; }

    /// <summary>
    /// Encodes <paramref name="rule"/>. False, with the reason, for what the kernel or nft would refuse (a log prefix or
    /// comment too long, a value of the wrong family); the caller then uses <c>nft -f</c>. Never throws for such input.
    /// <paramref name="isIntervalSet"/> tells whether a named set the rule looks a concatenation up in was declared with
    /// <c>flags interval</c> (nft then converts host-order fields such as <c>meta l4proto</c> to network order before the
    /// lookup); without it, Calico's merged-rule sets (<c>calim4-</c>/<c>calim6-</c>) are taken to be the only ones.
    /// </summary>
    public static bool TryEncode(NftRule rule, Func<string, bool>? isIntervalSet, out NfTablesRule? encoded, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return NfTablesRuleEncoder.TryEncode(rule, isIntervalSet ?? NfTablesRuleEncoder.IsCalicoIntervalSet, out encoded, out reason);
    }
}
