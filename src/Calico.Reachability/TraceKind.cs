namespace Calico.Reachability;

/// <summary>What a <see cref="TraceHit"/> names (the same set as Goldmane's <c>PolicyKind</c>, our own type).</summary>
public enum TraceKind
{
    /// <summary>A projectcalico.org/v3 NetworkPolicy (Goldmane's CalicoNetworkPolicy).</summary>
    CalicoNetworkPolicy,

    GlobalNetworkPolicy,

    /// <summary>A networking.k8s.io/v1 NetworkPolicy (stored as the Calico NetworkPolicy knp.default.&lt;name&gt;; Goldmane's NetworkPolicy).</summary>
    KubernetesNetworkPolicy,

    StagedNetworkPolicy,

    StagedGlobalNetworkPolicy,

    StagedKubernetesNetworkPolicy,

    /// <summary>A profile's rule, a missing profile (fail closed), or the final drop when nothing allowed (name <c>__PROFILE__</c>).</summary>
    Profile,

    /// <summary>No rule of the tier matched: the tier's default action; <see cref="TraceHit.Trigger"/> names the first policy that selected the flow.</summary>
    EndOfTier,
}
