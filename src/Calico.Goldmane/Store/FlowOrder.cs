using Calico.Goldmane.Api;

namespace Calico.Goldmane.Store;

/// <summary>
/// The order of Flows.List results: each sort option in turn (Time = newest start first; names and namespaces
/// ordinal ascending; types by enum value), then the flow id, then newest start, so pages are stable.
/// Upstream accepts one option and no type sort; we take any number and every SortBy value.
/// </summary>
internal static class FlowOrder
{
    public static Comparison<FlowCandidate> For(IEnumerable<SortOption> options)
    {
        var keys = options.Select(o => o.SortBy).ToList();
        if (keys.Count == 0)
        {
            keys.Add(SortBy.Time);
        }

        foreach (var key in keys)
        {
            if (!Enum.IsDefined(key))
            {
                throw new ArgumentException($"sort_by: {(int)key} is not a SortBy value");
            }
        }

        return (a, b) =>
        {
            foreach (var key in keys)
            {
                int order = Compare(key, a, b);
                if (order != 0)
                {
                    return order;
                }
            }

            int byId = a.Flow.Id.CompareTo(b.Flow.Id);
            return byId != 0 ? byId : b.StartTime.CompareTo(a.StartTime);
        };
    }

    private static int Compare(SortBy key, FlowCandidate a, FlowCandidate b) => key switch
    {
        SortBy.DestName => string.CompareOrdinal(a.Flow.Key.DestName, b.Flow.Key.DestName),
        SortBy.DestNamespace => string.CompareOrdinal(a.Flow.Key.DestNamespace, b.Flow.Key.DestNamespace),
        SortBy.DestType => a.Flow.Key.DestType.CompareTo(b.Flow.Key.DestType),
        SortBy.SourceName => string.CompareOrdinal(a.Flow.Key.SourceName, b.Flow.Key.SourceName),
        SortBy.SourceNamespace => string.CompareOrdinal(a.Flow.Key.SourceNamespace, b.Flow.Key.SourceNamespace),
        SortBy.SourceType => a.Flow.Key.SourceType.CompareTo(b.Flow.Key.SourceType),
        _ => b.StartTime.CompareTo(a.StartTime),
    };
}
