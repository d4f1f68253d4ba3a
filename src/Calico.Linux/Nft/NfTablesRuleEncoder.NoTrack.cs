namespace Calico.Linux.Nft;

internal sealed partial class NfTablesRuleEncoder
{
    /// <summary><c>notrack</c>: one <c>notrack</c> expression without attributes (as nft 1.0.6 sends it).</summary>
    private void EncodeNoTrack() => _expressions.Add(NftExpression.NoTrack());
}
