using Calico.Felix.FlowLogs;

namespace Calico.Node.FlowLogs;

/// <summary>The collector's interval and the aggregator's limits and mode.</summary>
internal sealed record FlowLogCollectorOptions(TimeSpan FlushInterval, FlowAggregatorOptions Aggregator);
