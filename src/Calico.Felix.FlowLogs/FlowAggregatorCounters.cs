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

    /// <summary>BPF verdicts received (<see cref="FlowAggregator.ObserveBpfVerdict"/>), rate limited with the logged packets.</summary>
    public long BpfVerdictsReceived { get; internal set; }

    /// <summary>
    /// BPF verdicts whose engine trace ended in another action than the program's (the state changed in between, or a
    /// broken table): reported with the program's action and an empty enforced trace.
    /// </summary>
    public long BpfTraceMismatches { get; internal set; }
}
