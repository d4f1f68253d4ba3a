using System.Diagnostics.CodeAnalysis;

namespace Calico.Selectors;

/// <summary>
/// An endpoint's labels as selectors see them: its own labels first, then each parent's (profile's)
/// labels in order; the first layer holding a key wins. This is upstream's label inheritance
/// (<c>felix/labelindex</c> <c>itemData.GetHandle</c>), done by lookup rather than by merging maps.
/// </summary>
public readonly struct LayeredLabelSource : ILabelSource
{
    private readonly IReadOnlyDictionary<string, string>? _own;
    private readonly IReadOnlyList<IReadOnlyDictionary<string, string>>? _parents;

    public LayeredLabelSource(IReadOnlyDictionary<string, string>? own, IReadOnlyList<IReadOnlyDictionary<string, string>>? parents)
    {
        _own = own;
        _parents = parents;
    }

    public bool TryGet(string key, [MaybeNullWhen(false)] out string value)
    {
        if (_own is not null && _own.TryGetValue(key, out value))
        {
            return true;
        }

        if (_parents is not null)
        {
            // Indexed loop: no enumerator allocation on the evaluation path.
            for (var i = 0; i < _parents.Count; i++)
            {
                if (_parents[i].TryGetValue(key, out value))
                {
                    return true;
                }
            }
        }

        value = null;
        return false;
    }
}
