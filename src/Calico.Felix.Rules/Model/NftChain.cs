using System.Collections.Immutable;

namespace Calico.Felix.Rules;

/// <summary>
/// A chain of <c>table inet calico</c>: <see cref="Header"/> is the base-chain line
/// (<c>type filter hook input priority filter - 5; policy accept;</c>) or null for a regular chain; <see cref="Rules"/>
/// are the rule texts in order; <see cref="Note"/> is a <c>#</c> line for readers, not kernel state.
/// </summary>
public sealed class NftChain
{
    public NftChain(string name, string? header, string? note, IEnumerable<string> rules)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Header = header;
        Note = note;
        _rules = [.. rules];
    }

    private readonly ImmutableArray<string> _rules;

    public string Name { get; }

    public string? Header { get; }

    public string? Note { get; }

    public IReadOnlyList<string> Rules => _rules;

    internal bool SameRules(NftChain other) => ReferenceEquals(this, other) || _rules.AsSpan().SequenceEqual(other._rules.AsSpan());

    /// <summary>Whether any rule names <c>@set</c> (a set or map lookup).</summary>
    internal bool References(string setName)
    {
        foreach (string rule in _rules)
        {
            int at = 0;
            while ((at = rule.IndexOf("@" + setName, at, StringComparison.Ordinal)) >= 0)
            {
                int end = at + 1 + setName.Length;
                if (end == rule.Length || !NftNames.IsNameChar(rule[end]))
                {
                    return true;
                }

                at = end;
            }
        }

        return false;
    }
}
