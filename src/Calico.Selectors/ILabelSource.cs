using System.Diagnostics.CodeAnalysis;

namespace Calico.Selectors;

/// <summary>
/// Label lookup for <see cref="Selector.Matches{TLabels}(TLabels)"/>. Implement it on a struct to
/// evaluate without boxing, e.g. over an endpoint's own labels layered on its profiles' labels
/// (<see cref="LayeredLabelSource"/>) without copying either.
/// </summary>
public interface ILabelSource
{
    bool TryGet(string key, [MaybeNullWhen(false)] out string value);
}
