using Calico.Ipam;
using Calico.Observability.Metrics;

namespace Calico.KubeControllers.Controllers;

/// <summary>
/// Upstream kube-controllers' IPAM families (per pool and node, <c>no_ippool</c> for blocks outside every pool) plus
/// ours: whether this instance holds the lease, and the scans and compactions it ran.
/// </summary>
internal sealed class ControllerMetrics
{
    private readonly Lock _sync = new();
    private readonly Prometheus.Counter _reclamations;
    private readonly Prometheus.Gauge _active;
    private readonly Prometheus.Counter _scans;
    private readonly Prometheus.Counter _compactions;
    private Dictionary<(string Pool, string Node), int> _candidates = [];
    private Dictionary<(string Pool, string Node), int> _inUse = [];
    private Dictionary<(string Pool, string Node), int> _blocks = [];

    public ControllerMetrics(MetricsRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        Registry = registry;
        _reclamations = registry.CreateCounter("ipam_allocations_gc_reclamations", "Allocations the garbage collector released as leaked.", "ippool", "node");
        _active = registry.CreateGauge("calico_kube_controllers_active", "1 when this instance holds the lease and runs the controllers, 0 while it stands by.");
        _scans = registry.CreateCounter("calico_kube_controllers_ipam_scans_total", "IPAM garbage collection scans run.");
        _compactions = registry.CreateCounter("calico_kube_controllers_etcd_compactions_total", "etcd compactions requested.");
        registry.RegisterCollector(
            [
                new CollectedMetricFamily("ipam_allocations_in_use", "IPs currently allocated in IPAM to a workload or tunnel endpoint.", CollectedMetricType.Gauge, "ippool", "node"),
                new CollectedMetricFamily("ipam_blocks", "IPAM blocks currently allocated for the IP pool.", CollectedMetricType.Gauge, "ippool", "node"),
                new CollectedMetricFamily("ipam_allocations_gc_candidates", "Allocations that are currently marked by the garbage collector as potential candidates to reclaim. Under normal operation, this metric should return to zero after the garbage collector confirms that the allocation is in use, or reclaims it.", CollectedMetricType.Gauge, "ippool", "node"),
            ],
            Collect);
        ProcessMetrics.Register(registry);
    }

    public MetricsRegistry Registry { get; }

    public void SetActive(bool active) => _active.Set(active ? 1 : 0);

    public void Scanned() => _scans.Inc();

    public void Compacted() => _compactions.Inc();

    public void Reclaimed(string pool, string node) => _reclamations.WithLabels(pool, node).Inc();

    public void SetCandidates(Dictionary<(string Pool, string Node), int> candidates)
    {
        lock (_sync)
        {
            _candidates = new(candidates);
        }
    }

    public void SetBlocks(IReadOnlyList<BlockInfo> blocks, IReadOnlyList<Pool> pools)
    {
        var inUse = new Dictionary<(string, string), int>();
        var perNode = new Dictionary<(string, string), int>();
        foreach (var block in blocks)
        {
            string pool = IpamGarbageCollector.PoolOf(pools, block.Cidr);
            var blockKey = (pool, block.Host ?? "");
            perNode[blockKey] = perNode.GetValueOrDefault(blockKey) + 1;
            foreach (var a in block.Allocations)
            {
                if (!a.InCooldown)
                {
                    var key = (pool, a.Attributes.GetValueOrDefault("node") ?? block.Host ?? "");
                    inUse[key] = inUse.GetValueOrDefault(key) + 1;
                }
            }
        }

        lock (_sync)
        {
            _inUse = inUse;
            _blocks = perNode;
        }
    }

    private IEnumerable<MetricSample> Collect()
    {
        var samples = new List<MetricSample>();
        lock (_sync)
        {
            foreach (var ((pool, node), n) in _inUse)
            {
                samples.Add(new MetricSample("ipam_allocations_in_use", n, [pool, node]));
            }

            foreach (var ((pool, node), n) in _blocks)
            {
                samples.Add(new MetricSample("ipam_blocks", n, [pool, node]));
            }

            foreach (var ((pool, node), n) in _candidates)
            {
                samples.Add(new MetricSample("ipam_allocations_gc_candidates", n, [pool, node]));
            }
        }

        return samples;
    }
}
