namespace Calico.Reachability;

/// <summary>
/// One step of a <see cref="SideTrace"/>: a policy rule that decided or passed, a tier's end-of-tier action, or a
/// profile. <see cref="Name"/> is the name an operator knows (a Kubernetes NetworkPolicy without its
/// <c>knp.default.</c> prefix); <see cref="Tier"/> is <c>__PROFILE__</c> for profiles, as upstream.
/// <see cref="PolicyIndex"/> is the hit's position in the trace (upstream's match index: 0, 1, ...);
/// <see cref="RuleIndex"/> is the rule's index in its policy's rules for the direction, -1 for an end-of-tier action,
/// a missing profile or the final drop.
/// </summary>
public sealed record TraceHit(TraceKind Kind, string? Namespace, string Name, string Tier, TraceAction Action, int PolicyIndex, int RuleIndex)
{
    /// <summary>For <see cref="TraceKind.EndOfTier"/>: the first policy of the tier that selected the flow and matched no rule (null if none was active).</summary>
    public TraceHit? Trigger { get; init; }

    /// <summary>True for the staged kinds.</summary>
    public bool IsStaged => Kind is TraceKind.StagedNetworkPolicy or TraceKind.StagedGlobalNetworkPolicy or TraceKind.StagedKubernetesNetworkPolicy;

    /// <summary>Namespace/name, or the name alone when global.</summary>
    public string QualifiedName => Namespace is null ? Name : $"{Namespace}/{Name}";

    /// <summary>One line, e.g. "tier default StagedNetworkPolicy ns1/web rule 0: Deny" or "end of tier default: Deny (trigger ...)".</summary>
    public override string ToString() => Kind switch
    {
        TraceKind.EndOfTier => Trigger is null
            ? $"end of tier {Tier}: {Action}"
            : $"end of tier {Tier}: {Action} (no rule matched; first policy {Trigger.Kind} {Trigger.QualifiedName})",
        TraceKind.Profile => RuleIndex < 0 ? $"profile {Name}: {Action}" : $"profile {Name} rule {RuleIndex}: {Action}",
        _ => $"tier {Tier} {Kind} {QualifiedName} rule {RuleIndex}: {Action}",
    };
}
