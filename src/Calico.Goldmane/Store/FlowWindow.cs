using Calico.Goldmane.Api;

namespace Calico.Goldmane.Store;

/// <summary>One flow key's counters inside one bucket (its bounds are the bucket's, as upstream).</summary>
internal struct FlowWindow
{
    public long Start;
    public long End;
    public long PacketsIn;
    public long PacketsOut;
    public long BytesIn;
    public long BytesOut;
    public long ConnectionsStarted;
    public long ConnectionsCompleted;
    public long ConnectionsLive;

    /// <summary>Labels every report in this window agreed on (sorted; an intersection, as upstream).</summary>
    public string[] SourceLabels;
    public string[] DestLabels;

    public static FlowWindow From(Flow flow, long start, long end, LabelPool labels) => new()
    {
        Start = start,
        End = end,
        PacketsIn = flow.PacketsIn,
        PacketsOut = flow.PacketsOut,
        BytesIn = flow.BytesIn,
        BytesOut = flow.BytesOut,
        ConnectionsStarted = flow.NumConnectionsStarted,
        ConnectionsCompleted = flow.NumConnectionsCompleted,
        ConnectionsLive = flow.NumConnectionsLive,
        SourceLabels = labels.Canonical(flow.SourceLabels),
        DestLabels = labels.Canonical(flow.DestLabels),
    };

    public void Add(Flow flow, LabelPool labels)
    {
        PacketsIn += flow.PacketsIn;
        PacketsOut += flow.PacketsOut;
        BytesIn += flow.BytesIn;
        BytesOut += flow.BytesOut;
        ConnectionsStarted += flow.NumConnectionsStarted;
        ConnectionsCompleted += flow.NumConnectionsCompleted;
        ConnectionsLive += flow.NumConnectionsLive;
        SourceLabels = labels.Intersect(SourceLabels, labels.Canonical(flow.SourceLabels));
        DestLabels = labels.Intersect(DestLabels, labels.Canonical(flow.DestLabels));
    }
}
