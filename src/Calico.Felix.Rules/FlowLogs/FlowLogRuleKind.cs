namespace Calico.Felix.Rules.FlowLogs;

/// <summary>What decided a logged verdict (upstream Goldmane's <c>PolicyKind</c> names).</summary>
public enum FlowLogRuleKind
{
    /// <summary>A namespaced projectcalico.org/v3 NetworkPolicy.</summary>
    CalicoNetworkPolicy,

    GlobalNetworkPolicy,

    /// <summary>A Kubernetes networking.k8s.io NetworkPolicy (in the dataplane a NetworkPolicy named <c>knp.default.&lt;name&gt;</c>).</summary>
    KubernetesNetworkPolicy,

    /// <summary>A profile's rule, or (<see cref="FlowLogRule.Name"/> empty) the drop when no profile matched.</summary>
    Profile,

    /// <summary>A tier's default action: no policy of the tier decided (<see cref="FlowLogRule.Name"/> empty).</summary>
    EndOfTier,
}
