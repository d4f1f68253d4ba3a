using System.Collections.Immutable;

namespace Calico.Felix.Rules;

/// <summary>
/// A named set or map of <c>table inet calico</c>. <see cref="Declaration"/> holds the lines inside the braces before
/// the elements (<c>type ipv4_addr</c>, <c>flags interval</c>); <see cref="Elements"/> are element texts sorted
/// ordinally (for a map, <c>key : value</c>). <see cref="Note"/> is a <c>#</c> line for readers, not kernel state.
/// </summary>
public sealed class NftSet
{
    public NftSet(string name, bool isMap, string? note, IEnumerable<string> declaration, IEnumerable<string> elements)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        IsMap = isMap;
        Note = note;
        _declaration = [.. declaration];
        ImmutableArray<string>.Builder sorted = ImmutableArray.CreateBuilder<string>();
        sorted.AddRange(elements);
        sorted.Sort(StringComparer.Ordinal);
        _elements = sorted.ToImmutable();
    }

    private readonly ImmutableArray<string> _declaration;
    private readonly ImmutableArray<string> _elements;

    public string Name { get; }

    /// <summary>Declared with <c>map</c> rather than <c>set</c>.</summary>
    public bool IsMap { get; }

    public string? Note { get; }

    public IReadOnlyList<string> Declaration => _declaration;

    /// <summary>Sorted ordinally, no duplicates expected.</summary>
    public IReadOnlyList<string> Elements => _elements;

    internal string Keyword => IsMap ? "map" : "set";

    /// <summary>The element's key: for a map the text before <c>" : "</c>, for a set the whole element.</summary>
    internal string KeyOf(string element)
    {
        if (!IsMap)
        {
            return element;
        }

        int separator = element.IndexOf(" : ", StringComparison.Ordinal);
        return separator < 0 ? element : element[..separator];
    }

    internal bool SameDeclaration(NftSet other) => IsMap == other.IsMap && _declaration.AsSpan().SequenceEqual(other._declaration.AsSpan());
}
