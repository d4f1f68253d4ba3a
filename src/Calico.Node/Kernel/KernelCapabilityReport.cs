using Calico.Api;
using Calico.Felix.Config;
using Calico.Linux.Kernel;
using Calico.Observability.Health;
using Calico.Observability.Metrics;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Calico.Node.Kernel;

/// <summary>
/// Reports settings that ask for kernel support this kernel lacks (the kernel is probed once at start): a
/// "kernel-capabilities" readiness reporter (not ready, the reason naming each setting and what is missing), the
/// gauge <c>felix_kernel_feature_missing{feature,setting}</c> = 1 per such setting, and one warning in the log when a
/// setting starts asking for a missing feature. Fed from the agent's loop (pools from routing, Felix config from each
/// configuration load); safe to call from any thread.
/// </summary>
internal sealed partial class KernelCapabilityReport
{
    public const string ReporterName = "kernel-capabilities";
    public const string MetricName = "felix_kernel_feature_missing";

    private readonly KernelCapabilities _capabilities;
    private readonly HealthReporter _reporter;
    private readonly Gauge _missingGauge;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private List<KernelRequest> _poolRequests = [];
    private List<KernelRequest> _felixRequests = [];
    private HashSet<KernelRequest> _missing = [];

    public KernelCapabilityReport(KernelCapabilities capabilities, HealthAggregator health, MetricsRegistry metrics, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(health);
        ArgumentNullException.ThrowIfNull(metrics);
        _capabilities = capabilities ?? throw new ArgumentNullException(nameof(capabilities));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _reporter = health.Register(ReporterName, reportsLive: false, reportsReady: true, TimeSpan.Zero);
        _reporter.Report(live: true, ready: true);
        _missingGauge = metrics.CreateGauge(MetricName, "1 for each setting that needs a kernel feature this kernel lacks.", "feature", "setting");
    }

    /// <summary>Logs what the probe found (once, at start).</summary>
    public void LogProbe()
    {
        foreach (KernelFeatureResult result in _capabilities.Results)
        {
            Log.Probed(_logger, result.Feature.Name, result.Present ? "present" : "absent", result.Reason);
        }
    }

    /// <summary>True when the start-up probe found <paramref name="feature"/> (a <see cref="KernelFeatures"/> name) absent.</summary>
    public bool Lacks(string feature) => !_capabilities[feature].Present;

    public void SetPools(IEnumerable<IPPool> pools)
    {
        List<KernelRequest> requests = KernelRequirements.ForPools(pools);
        lock (_lock)
        {
            _poolRequests = requests;
            UpdateLocked();
        }
    }

    public void SetFelixConfig(FelixConfig config)
    {
        List<KernelRequest> requests = KernelRequirements.ForFelix(config);
        lock (_lock)
        {
            _felixRequests = requests;
            UpdateLocked();
        }
    }

    private void UpdateLocked()
    {
        var missing = KernelRequirements.Missing(_poolRequests.Concat(_felixRequests), _capabilities);
        var now = new HashSet<KernelRequest>();
        foreach (var (request, message) in missing)
        {
            if (now.Add(request) && !_missing.Contains(request))
            {
                Log.FeatureMissing(_logger, message);
                _missingGauge.WithLabels(request.Feature, request.Setting).Set(1);
            }
        }

        foreach (KernelRequest gone in _missing)
        {
            if (!now.Contains(gone))
            {
                _missingGauge.RemoveLabelled(gone.Feature, gone.Setting);
            }
        }

        _missing = now;
        _reporter.Report(live: true, ready: missing.Count == 0, missing.Count == 0 ? "" : string.Join("; ", missing.Select(m => m.Message)));
    }

    private static partial class Log
    {
        [LoggerMessage(60, LogLevel.Warning, "Kernel support missing: {Message}")]
        public static partial void FeatureMissing(ILogger logger, string message);

        [LoggerMessage(61, LogLevel.Information, "Kernel feature {Feature}: {State} ({Reason})")]
        public static partial void Probed(ILogger logger, string feature, string state, string reason);
    }
}
