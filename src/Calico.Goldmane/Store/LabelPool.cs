using Google.Protobuf.Collections;

namespace Calico.Goldmane.Store;

/// <summary>
/// Shares identical label sets (and the strings of flow keys) between flows: most flows of a workload carry the
/// same labels, so 100,000 flows hold a few hundred arrays, not 100,000. Bounded: past its cap it stops sharing.
/// </summary>
internal sealed class LabelPool
{
    private const int MaxEntries = 1_000_000;
    private readonly Dictionary<string, string[]> _sets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);

    public string[] Canonical(RepeatedField<string> labels)
    {
        if (labels.Count == 0)
        {
            return [];
        }

        string[] sorted = [.. labels];
        Array.Sort(sorted, StringComparer.Ordinal);
        return CanonicalSorted(sorted);
    }

    public string Intern(string value)
    {
        if (value.Length == 0)
        {
            return string.Empty;
        }

        if (_strings.TryGetValue(value, out string? shared))
        {
            return shared;
        }

        if (_strings.Count < MaxEntries)
        {
            _strings[value] = value;
        }

        return value;
    }

    /// <summary>The labels in both sorted sets.</summary>
    public string[] Intersect(string[] a, string[] b)
    {
        if (ReferenceEquals(a, b))
        {
            return a;
        }

        var both = new List<string>(Math.Min(a.Length, b.Length));
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            int order = string.CompareOrdinal(a[i], b[j]);
            if (order == 0)
            {
                both.Add(a[i]);
                i++;
                j++;
            }
            else if (order < 0)
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return CanonicalSorted([.. both]);
    }

    private string[] CanonicalSorted(string[] sorted)
    {
        if (sorted.Length == 0)
        {
            return [];
        }

        string joined = string.Join('\n', sorted);
        if (_sets.TryGetValue(joined, out string[]? shared))
        {
            return shared;
        }

        for (int i = 0; i < sorted.Length; i++)
        {
            sorted[i] = Intern(sorted[i]);
        }

        if (_sets.Count < MaxEntries)
        {
            _sets[joined] = sorted;
        }

        return sorted;
    }
}
