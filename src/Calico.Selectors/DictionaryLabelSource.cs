using System.Diagnostics.CodeAnalysis;

namespace Calico.Selectors;

/// <summary>A plain label map as an <see cref="ILabelSource"/>.</summary>
public readonly struct DictionaryLabelSource(IReadOnlyDictionary<string, string> labels) : ILabelSource
{
    public bool TryGet(string key, [MaybeNullWhen(false)] out string value) => labels.TryGetValue(key, out value);
}
