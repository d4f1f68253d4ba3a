using Calico.Observability.Metrics;
using Prometheus;

namespace Calico.Goldmane.Services;

/// <summary>Upstream Goldmane's collector metrics (goldmane/pkg/server/flow_collector_service.go).</summary>
public sealed class CollectorMetrics(MetricsRegistry registry)
{
    public Counter Received { get; } = registry.CreateCounter("goldmane_collector_received_flows",
        "Total number of flows received by Goldmane aggregator.", "source");

    public Gauge Clients { get; } = registry.CreateGauge("goldmane_collector_num_clients", "Number of clients connected to the flow collector.");
}
