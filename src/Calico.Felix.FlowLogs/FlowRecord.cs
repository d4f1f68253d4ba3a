using Calico.Goldmane.Api;

namespace Calico.Felix.FlowLogs;

/// <summary>
/// One flushed flow: the wire's <see cref="Flow"/> (no addresses) plus, for the local reporter only, up to
/// <see cref="FlowAggregatorOptions.MaxConnectionSamplesPerFlow"/> of the connections' tuples and how many more there were.
/// </summary>
public sealed record FlowRecord(Flow Flow, IReadOnlyList<FlowTuple> Connections, long ConnectionsOmitted);
