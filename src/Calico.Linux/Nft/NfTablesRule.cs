namespace Calico.Linux.Nft;

/// <summary>
/// One rule of <c>table inet calico</c> compiled from the text Calico.Felix.Rules renders into the nf_tables
/// expressions nft would send for it, so it can be added over netlink without the <c>nft</c> process.
/// </summary>
public sealed class NfTablesRule
{
    internal NfTablesRule(string text, IReadOnlyList<NftExpression> expressions, IReadOnlyList<NftAnonymousSet> anonymousSets, string? comment)
    {
        Text = text;
        Expressions = expressions;
        AnonymousSets = anonymousSets;
        Comment = comment;
    }

    /// <summary>The rule text it was compiled from.</summary>
    public string Text { get; }

    /// <summary>The <c>comment "..."</c> text, stored by nft as rule userdata; null when there is none.</summary>
    public string? Comment { get; }

    internal IReadOnlyList<NftExpression> Expressions { get; }

    /// <summary>Sets created in the same batch right before the rule, referred to by index from lookups.</summary>
    internal IReadOnlyList<NftAnonymousSet> AnonymousSets { get; }

    /// <summary>
    /// Compiles one rule (the text after <c>add rule inet calico &lt;chain&gt; </c>). False, with the reason, for
    /// anything outside the supported grammar; the caller then uses <c>nft -f</c>. Never throws for bad input.
    /// Named concatenation sets whose name starts with <c>calim4-</c>/<c>calim6-</c> (Calico's merged-rule sets) are
    /// taken to have <c>flags interval</c>, which changes the expressions; use the overload to say otherwise.
    /// </summary>
    public static bool TryCompile(string text, out NfTablesRule? rule, out string? reason) =>
        TryCompile(text, NftRuleCompiler.IsCalicoIntervalSet, out rule, out reason);

    /// <summary>
    /// As <see cref="TryCompile(string, out NfTablesRule?, out string?)"/>; <paramref name="isIntervalSet"/> tells whether
    /// a named set the rule looks a concatenation up in was declared with <c>flags interval</c> (nft then converts
    /// host-order fields such as <c>meta l4proto</c> to network order before the lookup).
    /// </summary>
    public static bool TryCompile(string text, Func<string, bool> isIntervalSet, out NfTablesRule? rule, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(isIntervalSet);
        if (text is null)
        {
            rule = null;
            reason = "no rule text";
            return false;
        }

        return NftRuleCompiler.TryCompile(text, isIntervalSet, out rule, out reason);
    }
}
