using Calico.Observability.Metrics;
using Prometheus;

namespace Calico.Goldmane.Store;

/// <summary>The store's counters under upstream Goldmane's metric names where it has them (goldmane_aggr_*, goldmane_collector_*).</summary>
public sealed class StoreMetrics
{
    public StoreMetrics(MetricsRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        Received = registry.CreateCounter("goldmane_aggr_received_flows_total", "Total number of flows received by Goldmane aggregator.");
        Dropped = registry.CreateCounter("goldmane_aggr_dropped_flows_total",
            "Total number of flows dropped by the aggregator, by reason (max_flows: the distinct-flow cap; out_of_window: start time outside the kept buckets).", "reason");
        Duplicates = registry.CreateCounter("goldmane_collector_duplicate_flows_total",
            "Flows resent by a node (same key, start, end and node) and ignored.");
        UniqueFlows = registry.CreateGauge("goldmane_aggr_num_unique_flows", "Number of unique flows in the aggregator.");
        StreamDropped = registry.CreateCounter("goldmane_stream_dropped_results_total",
            "Stream results not delivered because a client's buffer was full.");
        Streams = registry.CreateGauge("goldmane_stream_num_streams", "Number of open Flows.Stream clients.");
        Rollovers = registry.CreateCounter("goldmane_aggr_rollovers_total", "Bucket rollovers done.");
    }

    public Counter Received { get; }

    public Counter Dropped { get; }

    public Counter Duplicates { get; }

    public Gauge UniqueFlows { get; }

    public Counter StreamDropped { get; }

    public Gauge Streams { get; }

    public Counter Rollovers { get; }
}
