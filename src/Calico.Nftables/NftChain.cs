using System.Collections.Immutable;

namespace Calico.Nftables;

/// <summary>
/// A chain: <see cref="Header"/> for a base chain (null for a regular one), <see cref="Rules"/> in order;
/// <see cref="Note"/> is a <c>#</c> line for readers, not kernel state.
/// </summary>
public sealed class NftChain
{
    public NftChain(string name, NftChainHeader? header, string? note, IEnumerable<NftRule> rules)
    {
        NftNameRules.ThrowIfBadName(name, nameof(name));
        Name = name;
        Header = header;
        Note = note;
        _rules = [.. rules];
    }

    private readonly ImmutableArray<NftRule> _rules;

    public string Name { get; }

    public NftChainHeader? Header { get; }

    public string? Note { get; }

    public IReadOnlyList<NftRule> Rules => _rules;

    public bool SameRules(NftChain other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return ReferenceEquals(this, other) || _rules.AsSpan().SequenceEqual(other._rules.AsSpan());
    }

    /// <summary>Whether any rule looks up <c>@set</c> (a set or verdict map).</summary>
    public bool References(string setName)
    {
        foreach (NftRule rule in _rules)
        {
            if (rule.References(setName))
            {
                return true;
            }
        }

        return false;
    }
}
