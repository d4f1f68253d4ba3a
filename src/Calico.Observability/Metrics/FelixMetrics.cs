using Prometheus;

namespace Calico.Observability.Metrics;

/// <summary>
/// The metrics calico-node's Felix exposes, under upstream Felix's names, types, labels and help texts (each
/// registered name exactly as upstream registers it: Go's client adds no <c>_total</c>), plus our own additions
/// (per-policy counters, refused settings, corrupt values). docs/calico-node.md lists them.
/// </summary>
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

        // felix/dataplane/linux/int_dataplane.go
        DataplaneFailures = registry.CreateCounter(
            "felix_int_dataplane_failures", "Number of times dataplane updates failed and will be retried.");
        DataplaneMessages = registry.CreateCounter(
            "felix_int_dataplane_messages", "Number dataplane messages by type.", "type");
        DataplaneInitialResyncTime = registry.CreateGauge(
            "felix_int_dataplane_initial_resync_time_seconds",
            "Time in seconds that it took to do the initial resync with the dataplane and bring the dataplane into sync for the first time.");
        DataplaneApplyTime = registry.CreateQuantileSummary(
            "felix_int_dataplane_apply_time_seconds", "Time in seconds for each incremental update to the dataplane (after the initial resync).");
        DataplaneBatchSize = registry.CreateQuantileSummary(
            "felix_int_dataplane_msg_batch_size",
            "Number of messages processed in each batch. Higher values indicate we're doing more batching to try to keep up.");
        DataplaneIfaceBatchSize = registry.CreateQuantileSummary(
            "felix_int_dataplane_iface_msg_batch_size",
            "Number of interface state messages processed in each batch. Higher values indicate we're doing more batching to try to keep up.");
        DataplaneAddrBatchSize = registry.CreateQuantileSummary(
            "felix_int_dataplane_addr_msg_batch_size",
            "Number of interface address messages processed in each batch. Higher values indicate we're doing more batching to try to keep up.");

        // felix/calc/async_calc_graph.go, calc_graph.go, policy_resolver.go, stats_collector.go
        ResyncState = registry.CreateGauge("felix_resync_state", "Current datastore state.");
        ResyncsStarted = registry.CreateCounter(
            "felix_resyncs_started", "Number of times Felix has started resyncing with the datastore.");
        CalcGraphUpdatesProcessed = registry.CreateCounter(
            "felix_calc_graph_updates_processed", "Number of datastore updates processed by the calculation graph.", "type");
        CalcGraphOutputEvents = registry.CreateCounter(
            "felix_calc_graph_output_events", "Number of events emitted by the calculation graph.");
        CalcGraphUpdateTime = registry.CreateQuantileSummary(
            "felix_calc_graph_update_time_seconds", "Seconds to update calculation graph for each datastore OnUpdate call.");
        ActiveLocalSelectors = registry.CreateGauge("felix_active_local_selectors", "Number of active selectors on this host.");
        ActiveLocalEndpoints = registry.CreateGauge("felix_active_local_endpoints", "Number of active endpoints on this host.");
        ActiveLocalPolicies = registry.CreateGauge("felix_active_local_policies", "Number of active policies on this host.");
        ClusterNumHosts = registry.CreateGauge("felix_cluster_num_hosts", "Total number of calico hosts in the cluster.");
        ClusterNumHostEndpoints = registry.CreateGauge("felix_cluster_num_host_endpoints", "Total number of host endpoints cluster-wide.");
        ClusterNumWorkloadEndpoints = registry.CreateGauge(
            "felix_cluster_num_workload_endpoints", "Total number of workload endpoints cluster-wide.");
        ClusterNumTiers = registry.CreateGauge("felix_cluster_num_tiers", "Total number of tiers cluster-wide.");
        ClusterNumPolicies = registry.CreateGauge("felix_cluster_num_policies", "Total number of policies cluster-wide.");
        ClusterNumProfiles = registry.CreateGauge("felix_cluster_num_profiles", "Total number of profiles cluster-wide.");

        // felix/routetable/route_table.go
        RouteTableResyncTime = registry.CreateQuantileSummary(
            "felix_route_table_resync_seconds", "Time taken to list all the routes during a resync.");
    }

    public Counter DataplaneFailures { get; }

    /// <summary>Label "type": upstream's message type name (<c>WorkloadEndpointUpdate</c>, <c>IPSetDeltaUpdate</c>, …).</summary>
    public Counter DataplaneMessages { get; }

    public Gauge DataplaneInitialResyncTime { get; }
    public Summary DataplaneApplyTime { get; }
    public Summary DataplaneBatchSize { get; }
    public Summary DataplaneIfaceBatchSize { get; }
    public Summary DataplaneAddrBatchSize { get; }

    /// <summary>1 waiting for the datastore, 2 resync in progress, 3 in sync (upstream's values).</summary>
    public Gauge ResyncState { get; }

    public Counter ResyncsStarted { get; }

    /// <summary>Label "type": upstream's datastore key type name (<c>WorkloadEndpointKey</c>, <c>PolicyKey</c>, …).</summary>
    public Counter CalcGraphUpdatesProcessed { get; }

    public Counter CalcGraphOutputEvents { get; }
    public Summary CalcGraphUpdateTime { get; }
    public Gauge ActiveLocalSelectors { get; }
    public Gauge ActiveLocalEndpoints { get; }
    public Gauge ActiveLocalPolicies { get; }
    public Gauge ClusterNumHosts { get; }
    public Gauge ClusterNumHostEndpoints { get; }
    public Gauge ClusterNumWorkloadEndpoints { get; }
    public Gauge ClusterNumTiers { get; }
    public Gauge ClusterNumPolicies { get; }
    public Gauge ClusterNumProfiles { get; }
    public Summary RouteTableResyncTime { get; }

    /// <summary>
    /// <c>felix_host{host}</c> = 1: the configured node name as a label, as upstream registers it when metrics are on.
    /// </summary>
    public void RegisterHost(string hostname)
    {
        ArgumentException.ThrowIfNullOrEmpty(hostname);
        _registry.CreateGauge(
            "felix_host",
            "Configured Felix hostname (as a label), typically used in grouping/aggregating stats; the label defaults to the hostname of the host but can be overridden by configuration. The value of the gauge is always set to 1.",
            "host").WithLabels(hostname).Set(1);
    }

    /// <summary>
    /// Upstream's nftables-mode families (felix/nftables), read through <paramref name="read"/> at scrape time:
    /// <c>felix_nft_calls</c>, <c>felix_nft_errors</c>, <c>felix_nft_list_calls</c>, <c>felix_nft_list_errors</c>
    /// (counters) and <c>felix_nft_chains</c>, <c>felix_nft_rules</c>, <c>felix_nft_sets</c>, <c>felix_nft_maps</c>
    /// {ip_version} (gauges); plus upstream's route-table gauges <c>felix_route_table_num_routes</c> and
    /// <c>felix_route_table_num_ifaces</c> {table}.
    /// </summary>
    public IDisposable RegisterDataplane(Func<DataplaneSnapshot> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        CollectedMetricFamily[] families =
        [
            new("felix_nft_calls", "Number of nft rule write transactions.", CollectedMetricType.Counter),
            new("felix_nft_errors", "Number of nft errors when writing rules.", CollectedMetricType.Counter),
            new("felix_nft_list_calls", "Number of nft list calls.", CollectedMetricType.Counter),
            new("felix_nft_list_errors", "Number of nft list errors.", CollectedMetricType.Counter),
            new("felix_nft_chains", "Number of active nft chains in the Calico table.", CollectedMetricType.Gauge, "ip_version"),
            new("felix_nft_rules", "Number of active nftables rules in the Calico table.", CollectedMetricType.Gauge, "ip_version"),
            new("felix_nft_sets", "Number of active Calico nftables sets.", CollectedMetricType.Gauge, "ip_version"),
            new("felix_nft_maps", "Number of active Calico nftables maps.", CollectedMetricType.Gauge, "ip_version"),
            new("felix_route_table_num_routes", "Number of routes that Felix is managing in the particular routing table.", CollectedMetricType.Gauge, "table"),
            new("felix_route_table_num_ifaces", "Number of interfaces that Felix is monitoring for the particular routing table.", CollectedMetricType.Gauge, "table"),
        ];
        return _registry.RegisterCollector(families, () => read().Samples());
    }

    /// <summary><c>felix_log_errors</c>: log lines that could not be written, read through <paramref name="read"/> at scrape time.</summary>
    public IDisposable RegisterLogErrors(Func<long> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        CollectedMetricFamily[] families = [new("felix_log_errors", "Number of errors encountered while logging.", CollectedMetricType.Counter)];
        return _registry.RegisterCollector(families, () => [new MetricSample("felix_log_errors", read())]);
    }

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
