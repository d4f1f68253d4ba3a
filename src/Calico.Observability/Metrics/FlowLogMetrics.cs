using Prometheus;

namespace Calico.Observability.Metrics;

/// <summary>
/// Flow-log counters of calico-node (ours: upstream's open-source Felix exports none for its collector). Counters
/// follow upstream's Felix style (no <c>_total</c> suffix, as <c>felix_resyncs_started</c>).
/// </summary>
public sealed class FlowLogMetrics
{
    public FlowLogMetrics(MetricsRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        FlowsFlushed = registry.CreateCounter("felix_flow_logs_flushed", "Flow records flushed (each interval, per reporter).");
        NflogPacketsReceived = registry.CreateCounter("felix_flow_logs_nflog_packets_received", "Packets logged by flow-log rules and read from NFLOG.");
        NflogPacketsRateLimited = registry.CreateCounter("felix_flow_logs_nflog_packets_rate_limited", "Logged packets not processed because of the rate limit.");
        NflogKernelOverflows = registry.CreateCounter("felix_flow_logs_nflog_overflows", "Times the kernel could not queue NFLOG messages (socket buffer full): packets lost before reading.");
        Dropped = registry.CreateCounter("felix_flow_logs_dropped", "Observations or flows not kept because a bound was reached.", "reason");
        TrackedConnections = registry.CreateGauge("felix_flow_logs_tracked_connections", "Allowed connections tracked for their conntrack counters.");
        GoldmaneSendErrors = registry.CreateCounter("felix_flow_logs_goldmane_send_errors", "Failed connections or sends to the goldmane server.");
        GoldmaneReconnects = registry.CreateCounter("felix_flow_logs_goldmane_reconnects", "Streams (re)established to the goldmane server.");
        GoldmaneFlowsSent = registry.CreateCounter("felix_flow_logs_goldmane_flows_sent", "Flows acknowledged by the goldmane server (resends included).");
    }

    public Counter FlowsFlushed { get; }
    public Counter NflogPacketsReceived { get; }
    public Counter NflogPacketsRateLimited { get; }
    public Counter NflogKernelOverflows { get; }

    /// <summary>Label "reason": connections_cap, flows_cap, open_traces_cap, undecodable, goldmane_queue_full.</summary>
    public Counter Dropped { get; }

    public Gauge TrackedConnections { get; }
    public Counter GoldmaneSendErrors { get; }
    public Counter GoldmaneReconnects { get; }
    public Counter GoldmaneFlowsSent { get; }
}
