using Calico.Api;

namespace Calico.Bird.Rendering;

/// <summary>
/// One BGPFilter rule, whichever family it came from: <see cref="BGPFilterRuleV4"/> and <see cref="BGPFilterRuleV6"/>
/// have the same fields, so the renderer works on this one view (upstream's <c>filterArgs</c>).
/// </summary>
internal sealed record BgpFilterRule(
    string? Cidr,
    BGPFilterPrefixLength? PrefixLength,
    string? Source,
    string? Interface,
    string? MatchOperator,
    string? PeerType,
    BGPFilterCommunityMatch? Communities,
    IReadOnlyList<uint>? AsPathPrefix,
    int? Priority,
    string Action,
    IReadOnlyList<BGPFilterOperation>? Operations)
{
    public static BgpFilterRule From(BGPFilterRuleV4 r) =>
        new(r.Cidr, r.PrefixLength, r.Source, r.Interface, r.MatchOperator, r.PeerType, r.Communities, r.AsPathPrefix, r.Priority, r.Action, r.Operations);

    public static BgpFilterRule From(BGPFilterRuleV6 r) =>
        new(r.Cidr, r.PrefixLength, r.Source, r.Interface, r.MatchOperator, r.PeerType, r.Communities, r.AsPathPrefix, r.Priority, r.Action, r.Operations);

    /// <summary>The rule's rendering depends on whether the peer is in our AS (<c>peerType</c> set).</summary>
    public bool HasPeerType => !string.IsNullOrEmpty(PeerType);

    public bool SetsPriority => Operations?.Any(o => o.SetPriority is not null) == true;
}
