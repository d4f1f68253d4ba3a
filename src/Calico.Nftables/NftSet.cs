using System.Runtime.InteropServices;
using System.Collections.Immutable;

namespace Calico.Nftables;

/// <summary>
/// A named set or map: its typed declaration (<see cref="Type"/>) and typed elements (<see cref="Items"/>), sorted
/// ordinally by their text. <see cref="Declaration"/> and <see cref="Elements"/> are the same as nft text lines.
/// <see cref="Note"/> is a <c>#</c> line for readers, not kernel state.
/// </summary>
public sealed class NftSet
{
    public NftSet(string name, NftSetType type, string? note, IEnumerable<NftElement> elements)
    {
        NftNameRules.ThrowIfBadName(name, nameof(name));
        ArgumentNullException.ThrowIfNull(type);
        Name = name;
        Type = type;
        Note = note;
        NftElement[] sorted = [.. elements];
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Text, b.Text));
        string[] texts = new string[sorted.Length];
        for (int i = 0; i < sorted.Length; i++)
        {
            if (sorted[i].Value is null == type.IsMap)
            {
                throw new ArgumentException($"element '{sorted[i].Text}' does not fit {(type.IsMap ? "a map" : "a set")}", nameof(elements));
            }

            texts[i] = sorted[i].Text;
        }

        _items = ImmutableCollectionsMarshal.AsImmutableArray(sorted);
        _elements = ImmutableCollectionsMarshal.AsImmutableArray(texts);
    }

    private readonly ImmutableArray<NftElement> _items;
    private readonly ImmutableArray<string> _elements;

    public string Name { get; }

    public NftSetType Type { get; }

    /// <summary>Declared with <c>map</c> rather than <c>set</c>.</summary>
    public bool IsMap => Type.IsMap;

    public string? Note { get; }

    /// <summary>The declaration lines (<c>type ipv4_addr</c>, <c>flags interval</c>).</summary>
    public IReadOnlyList<string> Declaration => Type.Lines;

    /// <summary>The typed elements, sorted ordinally by text.</summary>
    public IReadOnlyList<NftElement> Items => _items;

    /// <summary>The elements' texts (for a map, <c>key : value</c>), sorted ordinally, no duplicates expected.</summary>
    public IReadOnlyList<string> Elements => _elements;

    public string Keyword => IsMap ? "map" : "set";

    public bool SameDeclaration(NftSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Type.Equals(other.Type);
    }
}
