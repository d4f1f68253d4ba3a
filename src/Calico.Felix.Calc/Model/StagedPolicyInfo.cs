namespace Calico.Felix.Calc.Model;

/// <summary>
/// Marks a <see cref="PolicyIntent"/> as staged: never enforced (the renderer skips it), evaluated only for the
/// pending view. <see cref="Replaces"/> is the enforced policy it stands in for (same kind without "Staged", same
/// namespace and name; a StagedKubernetesNetworkPolicy stands in for the NetworkPolicy <c>knp.default.&lt;name&gt;</c>).
/// </summary>
public sealed record StagedPolicyInfo(StagedAction Action, PolicyIdentity Replaces);
