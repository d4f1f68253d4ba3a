namespace Calico.Linux.Nft;

/// <summary>
/// One rule of <c>table inet calico</c> compiled from the text Calico.Felix.Rules renders into the nf_tables
/// expressions nft would send for it, so it can be added over netlink without the <c>nft</c> process.
/// </summary>
public sealed class NftRule
{
    private NftRule(string text) => Text = text;

    /// <summary>The rule text it was compiled from.</summary>
    public string Text { get; }

    /// <summary>
    /// Compiles one rule (the text after <c>add rule inet calico &lt;chain&gt; </c>). False, with the reason, for
    /// anything outside the supported grammar; the caller then uses <c>nft -f</c>. Never throws for bad input.
    /// </summary>
    public static bool TryCompile(string text, out NftRule? rule, out string? reason)
    {
        rule = null;
        reason = "not implemented yet";
        _ = text;
        return false;
    }
}
