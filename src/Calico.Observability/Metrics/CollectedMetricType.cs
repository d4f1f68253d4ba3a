namespace Calico.Observability.Metrics;

/// <summary>Types a scrape-time collector may report; its values are absolute readings (e.g. kernel counters).</summary>
public enum CollectedMetricType
{
    Counter,
    Gauge,
}
