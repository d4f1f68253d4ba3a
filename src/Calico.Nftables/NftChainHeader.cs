namespace Calico.Nftables;

/// <summary>
/// A base chain's header, <c>type filter hook input priority filter - 5; policy accept;</c>; a regular chain has none.
/// Value equality (a changed header means the chain is re-created).
/// </summary>
public sealed record NftChainHeader(NftChainType Type, NftHook Hook, NftPriority Priority, bool PolicyAccept = true)
{
    public string Text =>
        "type " + Type.ToString().ToLowerInvariant() + " hook " + Hook.ToString().ToLowerInvariant() + " priority " + Priority
        + "; policy " + (PolicyAccept ? "accept" : "drop") + ";";

    public override string ToString() => Text;
}
