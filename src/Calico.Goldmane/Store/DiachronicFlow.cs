using Calico.Goldmane.Api;

namespace Calico.Goldmane.Store;

/// <summary>One flow key across time: a window per bucket it was seen in, oldest first (upstream's DiachronicFlow).</summary>
internal sealed class DiachronicFlow(long id, FlowKey key)
{
    public long Id { get; } = id;

    public FlowKey Key { get; } = key;

    public List<FlowWindow> Windows { get; } = new(1);

    public void Add(Flow flow, long start, long end, LabelPool labels)
    {
        int index = Windows.Count;
        while (index > 0 && Windows[index - 1].Start >= start)
        {
            index--;
        }

        if (index < Windows.Count && Windows[index].Start == start)
        {
            var window = Windows[index];
            window.Add(flow, labels);
            Windows[index] = window;
            return;
        }

        Windows.Insert(index, FlowWindow.From(flow, start, end, labels));
    }

    /// <summary>Drops windows that start before <paramref name="oldestStart"/>; true when none is left.</summary>
    public bool TrimBefore(long oldestStart)
    {
        int stale = 0;
        while (stale < Windows.Count && Windows[stale].Start < oldestStart)
        {
            stale++;
        }

        if (stale > 0)
        {
            Windows.RemoveRange(0, stale);
        }

        return Windows.Count == 0;
    }

    /// <summary>True when a window starts in [gte, lt).</summary>
    public bool HasWindowIn(long gte, long lt)
    {
        foreach (var window in Windows)
        {
            if (window.Start >= gte && window.Start < lt)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Start of the first window starting in [gte, lt) (the aggregated flow's start time).</summary>
    public long FirstStartIn(long gte, long lt)
    {
        foreach (var window in Windows)
        {
            if (window.Start >= gte && window.Start < lt)
            {
                return window.Start;
            }
        }

        return long.MinValue;
    }

    /// <summary>
    /// The windows starting in [gte, lt) summed into one wire flow (labels intersected, start the earliest window's,
    /// end the latest's); null when there is none.
    /// </summary>
    public Flow? Aggregate(long gte, long lt)
    {
        Flow? flow = null;
        string[]? sourceLabels = null;
        string[]? destLabels = null;
        foreach (var window in Windows)
        {
            if (window.Start < gte || window.Start >= lt)
            {
                continue;
            }

            flow ??= new Flow { Key = Key, StartTime = window.Start, EndTime = window.End };
            flow.StartTime = Math.Min(flow.StartTime, window.Start);
            flow.EndTime = Math.Max(flow.EndTime, window.End);
            flow.PacketsIn += window.PacketsIn;
            flow.PacketsOut += window.PacketsOut;
            flow.BytesIn += window.BytesIn;
            flow.BytesOut += window.BytesOut;
            flow.NumConnectionsStarted += window.ConnectionsStarted;
            flow.NumConnectionsCompleted += window.ConnectionsCompleted;
            flow.NumConnectionsLive += window.ConnectionsLive;
            sourceLabels = sourceLabels is null ? window.SourceLabels : IntersectSorted(sourceLabels, window.SourceLabels);
            destLabels = destLabels is null ? window.DestLabels : IntersectSorted(destLabels, window.DestLabels);
        }

        if (flow is not null)
        {
            flow.SourceLabels.AddRange(sourceLabels!);
            flow.DestLabels.AddRange(destLabels!);
        }

        return flow;
    }

    private static string[] IntersectSorted(string[] a, string[] b) =>
        ReferenceEquals(a, b) ? a : [.. a.Intersect(b, StringComparer.Ordinal)];
}
