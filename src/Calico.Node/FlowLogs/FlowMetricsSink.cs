using Calico.Felix.FlowLogs;
using Calico.Observability.Metrics;

namespace Calico.Node.FlowLogs;

/// <summary>Moves the collector's cumulative counters into the metrics registry (null registry: counted nowhere).</summary>
internal sealed class FlowMetricsSink(FlowLogMetrics? metrics)
{
    private readonly object _lock = new();
    private long _received;
    private long _rateLimited;
    private long _undecodable;
    private long _connectionsCap;
    private long _flowsCap;
    private long _tracesCap;
    private long _overflows;

    public void FromAggregator(FlowAggregatorCounters c, int tracked, long kernelOverflows)
    {
        if (metrics is null)
        {
            return;
        }

        lock (_lock)
        {
            metrics.NflogPacketsReceived.Inc(Take(ref _received, c.PacketsReceived));
            metrics.NflogPacketsRateLimited.Inc(Take(ref _rateLimited, c.PacketsRateLimited));
            metrics.Dropped.WithLabels("undecodable").Inc(Take(ref _undecodable, c.PacketsUndecodable));
            metrics.Dropped.WithLabels("connections_cap").Inc(Take(ref _connectionsCap, c.ConnectionsOverCap));
            metrics.Dropped.WithLabels("flows_cap").Inc(Take(ref _flowsCap, c.FlowsOverCap));
            metrics.Dropped.WithLabels("open_traces_cap").Inc(Take(ref _tracesCap, c.OpenTracesOverCap));
            metrics.NflogKernelOverflows.Inc(Take(ref _overflows, kernelOverflows));
            metrics.TrackedConnections.Set(tracked);
        }
    }

    public void Flushed(int flows) => metrics?.FlowsFlushed.Inc(flows);

    public void Dropped(string reason, long count) => metrics?.Dropped.WithLabels(reason).Inc(count);

    public void GoldmaneSent() => metrics?.GoldmaneFlowsSent.Inc();

    public void GoldmaneConnected() => metrics?.GoldmaneReconnects.Inc();

    public void GoldmaneError() => metrics?.GoldmaneSendErrors.Inc();

    private static long Take(ref long last, long now)
    {
        long delta = Math.Max(0, now - last);
        last = now;
        return delta;
    }
}
