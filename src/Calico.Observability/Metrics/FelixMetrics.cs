using Prometheus;

namespace Calico.Observability.Metrics;

/// <summary>The metrics calico-node's Felix exposes, under upstream's names and help texts.</summary>
public sealed class FelixMetrics
{
    public const string PolicyPacketsName = "felix_policy_packets_total";
    public const string PolicyBytesName = "felix_policy_bytes_total";
    public const string UnsupportedSettingsName = "felix_unsupported_settings";

    public const string CorruptResourcesName = "felix_corrupt_resources";

    private static readonly string[] PolicyLabels = ["tier", "policy", "direction"];
    private static readonly string[] CorruptLabels = ["kind", "key", "handling"];
    private readonly MetricsRegistry _registry;

    public FelixMetrics(MetricsRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
        DataplaneApplyTime = registry.CreateSummary(
            "felix_int_dataplane_apply_time_seconds", "Time in seconds that it took to apply a dataplane update.");
        DataplaneFailures = registry.CreateCounter(
            "felix_int_dataplane_failures_total", "Number of times dataplane updates failed and will be retried.");
        DataplaneMessages = registry.CreateCounter(
            "felix_int_dataplane_messages", "Number dataplane messages by type.", "type");
        CalcGraphUpdateTime = registry.CreateSummary(
            "felix_calc_graph_update_time_seconds", "Seconds to update calculation graph for each datastore OnUpdate call.");
        ResyncsStarted = registry.CreateCounter(
            "felix_resyncs_started", "Number of times Felix has started resyncing with the datastore.");
        ClusterNumHosts = registry.CreateGauge(
            "felix_cluster_num_hosts", "Total number of Calico hosts in the cluster.");
        ActiveLocalEndpoints = registry.CreateGauge(
            "felix_active_local_endpoints", "Number of active endpoints on this host.");
        ActiveLocalPolicies = registry.CreateGauge(
            "felix_active_local_policies", "Number of active policies on this host.");
    }

    public Summary DataplaneApplyTime { get; }
    public Counter DataplaneFailures { get; }

    /// <summary>Label "type": the update message's kind.</summary>
    public Counter DataplaneMessages { get; }

    public Summary CalcGraphUpdateTime { get; }
    public Counter ResyncsStarted { get; }
    public Gauge ClusterNumHosts { get; }
    public Gauge ActiveLocalEndpoints { get; }
    public Gauge ActiveLocalPolicies { get; }

    /// <summary>
    /// <c>felix_unsupported_settings{kind,name,field}</c>: 1 for each refused setting calico-node read from the
    /// datastore (docs/support-matrix.md), read through <paramref name="read"/> at scrape time.
    /// </summary>
    public IDisposable RegisterUnsupportedSettings(Func<IEnumerable<(string Kind, string Name, string Field)>> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        CollectedMetricFamily[] families =
        [
            new(UnsupportedSettingsName, "Settings read from the datastore that this implementation does not enforce (1 each).", CollectedMetricType.Gauge, ["kind", "name", "field"]),
        ];
        return _registry.RegisterCollector(families, () => read().Select(s => new MetricSample(UnsupportedSettingsName, 1, [s.Kind, s.Name, s.Field])));
    }

    /// <summary>
    /// Registers the per-policy counters, read through <paramref name="read"/> only when Prometheus scrapes
    /// (reading them from the kernel costs a dump). Values are the kernel's absolute counts.
    /// </summary>
    public IDisposable RegisterPolicyCounters(Func<IEnumerable<PolicyCounterSample>> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        CollectedMetricFamily[] families =
        [
            new(PolicyPacketsName, "Number of packets matched by a policy's rules.", CollectedMetricType.Counter, PolicyLabels),
            new(PolicyBytesName, "Number of bytes matched by a policy's rules.", CollectedMetricType.Counter, PolicyLabels),
        ];
        return _registry.RegisterCollector(families, () => Expand(read()));
    }

    /// <summary>
    /// Registers <c>felix_corrupt_resources{kind,key,handling}</c>: 1 for each datastore key whose value cannot be read
    /// (handling: last-good, deny-all or skipped), read through <paramref name="read"/> at scrape time; a repaired key
    /// disappears. Not an upstream metric: upstream treats such a value as deleted.
    /// </summary>
    public IDisposable RegisterCorruptResources(Func<IEnumerable<(string Kind, string Key, string Handling)>> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        CollectedMetricFamily[] families =
        [
            new(CorruptResourcesName, "Datastore keys whose value cannot be decoded, by how Felix stands in for them.", CollectedMetricType.Gauge, CorruptLabels),
        ];
        return _registry.RegisterCollector(families, () => ExpandCorrupt(read()));
    }

    private static IEnumerable<MetricSample> ExpandCorrupt(IEnumerable<(string Kind, string Key, string Handling)> corrupt)
    {
        foreach (var (kind, key, handling) in corrupt)
        {
            yield return new MetricSample(CorruptResourcesName, 1, [kind, key, handling]);
        }
    }

    private static IEnumerable<MetricSample> Expand(IEnumerable<PolicyCounterSample> counters)
    {
        foreach (var counter in counters)
        {
            string[] labels = [counter.Tier, counter.Policy, counter.Direction];
            yield return new MetricSample(PolicyPacketsName, counter.Packets, labels);
            yield return new MetricSample(PolicyBytesName, counter.Bytes, labels);
        }
    }
}
