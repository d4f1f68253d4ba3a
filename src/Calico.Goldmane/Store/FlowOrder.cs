using Calico.Goldmane.Api;

namespace Calico.Goldmane.Store;

/// <summary>
/// The order of Flows.List results: each sort option in turn (Time = newest start first; names and namespaces
/// ordinal ascending; types by enum value), then the flow id, then newest start, so pages are stable.
/// Upstream accepts one option and no type sort; we take any number and every SortBy value.
/// </summary>
internal static class FlowOrder
{
    public static Comparison<FlowResult> For(IEnumerable<SortOption> options)
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
                int order = Compare(key, a.Flow, b.Flow);
                if (order != 0)
                {
                    return order;
                }
            }

            int byId = a.Id.CompareTo(b.Id);
            return byId != 0 ? byId : b.Flow.StartTime.CompareTo(a.Flow.StartTime);
        };
    }

    private static int Compare(SortBy key, Flow a, Flow b) => key switch
    {
        SortBy.DestName => string.CompareOrdinal(a.Key.DestName, b.Key.DestName),
        SortBy.DestNamespace => string.CompareOrdinal(a.Key.DestNamespace, b.Key.DestNamespace),
        SortBy.DestType => a.Key.DestType.CompareTo(b.Key.DestType),
        SortBy.SourceName => string.CompareOrdinal(a.Key.SourceName, b.Key.SourceName),
        SortBy.SourceNamespace => string.CompareOrdinal(a.Key.SourceNamespace, b.Key.SourceNamespace),
        SortBy.SourceType => a.Key.SourceType.CompareTo(b.Key.SourceType),
        _ => b.StartTime.CompareTo(a.StartTime),
    };
}
