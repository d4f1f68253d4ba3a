namespace Calico.Felix.Rules.FlowLogs;

/// <summary>
/// The verdict one log prefix stands for. <see cref="Name"/> is the name the operator knows (a Kubernetes
/// NetworkPolicy without <c>knp.default.</c>; a profile's id, e.g. <c>kns.default</c>); empty for
/// <see cref="FlowLogRuleKind.EndOfTier"/> and for the no-profile-matched drop. <see cref="Tier"/> is empty for profiles.
/// <see cref="Namespace"/> is set only for namespaced policies. <see cref="RuleIndex"/> is the rule's position in the
/// policy's or profile's rules of that direction, -1 for a default (end of tier, no profile matched).
/// </summary>
public sealed record FlowLogRule(
    FlowLogRuleKind Kind,
    string Tier,
    string Name,
    string? Namespace,
    FlowLogDirection Direction,
    int RuleIndex,
    FlowLogAction Action)
{
    /// <summary>Whether this is a default rather than a rule (end of tier, no profile matched).</summary>
    public bool IsDefault => RuleIndex < 0;
}
