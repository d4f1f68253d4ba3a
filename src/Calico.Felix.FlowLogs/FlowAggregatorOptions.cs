namespace Calico.Felix.FlowLogs;

/// <summary>Limits and modes of the aggregator; the defaults are what calico-node uses.</summary>
public sealed record FlowAggregatorOptions
{
    public PolicyEvaluationMode PolicyEvaluationMode { get; init; } = PolicyEvaluationMode.Continuous;

    /// <summary>Logged packets processed per second; the rest are counted in <see cref="FlowAggregatorCounters.PacketsRateLimited"/>.</summary>
    public double PacketsPerSecond { get; init; } = 20_000;

    public double PacketBurst { get; init; } = 20_000;

    /// <summary>Allowed connections tracked for their conntrack counters.</summary>
    public int MaxConnections { get; init; } = 100_000;

    /// <summary>Distinct flow records in one interval.</summary>
    public int MaxFlowsPerInterval { get; init; } = 50_000;

    /// <summary>Packets whose trace has started (a Pass) but not yet ended (an Allow or Deny).</summary>
    public int MaxOpenTraces { get; init; } = 10_000;

    /// <summary>Tuples kept per record for the local reporter (addresses and source ports).</summary>
    public int MaxConnectionSamplesPerFlow { get; init; } = 32;
}
