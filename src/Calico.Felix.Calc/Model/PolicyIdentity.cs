namespace Calico.Felix.Calc.Model;

/// <summary>
/// An enforced policy's identity independent of its tier: kind (NetworkPolicy or GlobalNetworkPolicy), namespace
/// (null for global) and name. A staged policy stands in for the enforced policy with this identity.
/// </summary>
public readonly record struct PolicyIdentity(string Kind, string? Namespace, string Name)
{
    public static PolicyIdentity Of(PolicyKey key) => new(key.Kind, key.Namespace, key.Name);

    public override string ToString() => Namespace is null ? $"{Kind} {Name}" : $"{Kind} {Namespace}/{Name}";
}
