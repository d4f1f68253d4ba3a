namespace Calico.Felix.FlowLogs;

/// <summary>What the aggregator saw and what it dropped, cumulative (the wiring exports them as metrics).</summary>
public sealed class FlowAggregatorCounters
{
    public long PacketsReceived { get; internal set; }

    public long PacketsRateLimited { get; internal set; }

    public long PacketsUndecodable { get; internal set; }

    public long ConnectionsOverCap { get; internal set; }

    public long FlowsOverCap { get; internal set; }

    public long OpenTracesOverCap { get; internal set; }

    public long FlowsFlushed { get; internal set; }
}
