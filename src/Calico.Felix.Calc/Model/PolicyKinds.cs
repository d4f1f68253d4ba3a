namespace Calico.Felix.Calc.Model;

/// <summary>The <see cref="PolicyKey.Kind"/> values the graph emits (upstream's kind names).</summary>
public static class PolicyKinds
{
    public const string NetworkPolicy = "NetworkPolicy";
    public const string GlobalNetworkPolicy = "GlobalNetworkPolicy";
    public const string StagedNetworkPolicy = "StagedNetworkPolicy";
    public const string StagedGlobalNetworkPolicy = "StagedGlobalNetworkPolicy";
    public const string StagedKubernetesNetworkPolicy = "StagedKubernetesNetworkPolicy";

    /// <summary>Upstream's <c>model.KindIsStaged</c>.</summary>
    public static bool IsStaged(string kind) => kind is StagedNetworkPolicy or StagedGlobalNetworkPolicy or StagedKubernetesNetworkPolicy;
}
