using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules.Merging;

/// <summary>What one build shares between endpoint chains while merging rule runs.</summary>
internal sealed class MergeContext
{
    /// <summary>Simple forms of a policy's rules per direction, or null when the policy keeps its chain; by intent identity.</summary>
    public Dictionary<PolicyIntent, (List<SimpleRule>? In, List<SimpleRule>? Out)> SimpleRules { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>An IP set's members of one family, normalised for nft.</summary>
    public Dictionary<(string Id, int Family), List<string>> Members { get; } = [];

    /// <summary>Merged sets rendered so far, by name (a hash of the definition, so endpoints with the same runs share one).</summary>
    public Dictionary<string, NftSet> Sets { get; } = new(StringComparer.Ordinal);

    /// <summary>Policies some endpoint chain still jumps to.</summary>
    public HashSet<PolicyKey> JumpedPolicies { get; } = [];

    /// <summary>Policies some endpoint chain reaches through merged lookups; their chains are left out unless also jumped to.</summary>
    public HashSet<PolicyKey> MergedPolicies { get; } = [];
}
