using Calico.Felix.Agent;
using Calico.Felix.Calc.Model;
using Calico.Felix.Config;
using Calico.Felix.Dataplane.Interfaces;
using Calico.Felix.Dataplane.Routes;
using Calico.Felix.Rules;
using Calico.Linux.Nft;
using Calico.Felix.Dataplane;
using Calico.Observability.Health;
using Calico.Observability.Http;
using Calico.Observability.Logging;
using Calico.Observability.Metrics;
using Microsoft.Extensions.Logging;

namespace Calico.Node;

/// <summary>Process-wide services: logs, health and metrics endpoints, telemetry, and the dataplane driver.</summary>
internal sealed partial class NodeServices : IAsyncDisposable, IAgentTelemetry
{
    private readonly CalicoLoggerProvider _provider;
    private readonly HealthAggregator _health = new();
    private readonly HealthReporter _reporter;
    private readonly MetricsRegistry _registry = new();
    private readonly FelixMetrics _metrics;
    private LinuxDataplaneDriver? _driver;
    private volatile bool _ready;
    private volatile string _reason = "starting";
    private volatile IReadOnlyList<CorruptResource> _corrupt = [];
    private volatile IReadOnlyList<Calico.Api.Support.SupportFinding> _unsupported = [];

    private NodeServices(CalicoLoggerProvider provider)
    {
        _provider = provider;
        LoggerFactory = new ProviderLoggerFactory(provider);
        // The loop heartbeats at least every 10 s; 30 s without one means it is stuck.
        _reporter = _health.Register("felix", reportsLive: true, reportsReady: true, TimeSpan.FromSeconds(30));
        _reporter.Report(true, false, _reason);
        _metrics = new FelixMetrics(_registry);
        _metrics.RegisterUnsupportedSettings(() => _unsupported.Select(f => (f.Kind, f.Name, f.Field)));
        _metrics.RegisterCorruptResources(() => _corrupt.Select(c => (c.Kind, c.Key, c.HandlingLabel)));
        RegisterUpstreamMetrics();
    }

    public ILoggerFactory LoggerFactory { get; }

    public IAgentTelemetry Telemetry => this;

    /// <summary>What /readiness and /liveness summarise (for tests).</summary>
    internal HealthAggregator Health => _health;

    /// <summary>What the metrics endpoint exposes (for tests).</summary>
    internal MetricsRegistry Registry => _registry;

    public static NodeServices Create(TextWriter stderr, IReadOnlyDictionary<string, string> environment)
    {
        _ = stderr;
        // Until the datastore's configuration is read, log at the environment's level (or Info).
        Observability.Logging.LogSeverity severity = Observability.Logging.LogSeverity.Info;
        if (environment.TryGetValue("FELIX_LOGSEVERITYSCREEN", out string? value) && value.Length > 0)
        {
            try
            {
                severity = LogSeverities.Parse(value, "FELIX_LOGSEVERITYSCREEN");
            }
            catch (FormatException)
            {
                // Reported with the rest of the configuration problems once the config is loaded.
            }
        }

        return new NodeServices(new CalicoLoggerProvider(severity));
    }

    public void SetLogSeverity(Felix.Config.LogSeverity severity) =>
        _provider.MinimumLevel = severity switch
        {
            Felix.Config.LogSeverity.Trace => LogLevel.Trace,
            Felix.Config.LogSeverity.Debug => LogLevel.Debug,
            Felix.Config.LogSeverity.Info => LogLevel.Information,
            Felix.Config.LogSeverity.Warning => LogLevel.Warning,
            Felix.Config.LogSeverity.Error => LogLevel.Error,
            _ => LogLevel.Critical,
        };

    /// <summary>Starts the health (9099) and metrics (9091) endpoints as configured; disposing stops them.</summary>
    public Task<IAsyncDisposable> StartEndpointsAsync(FelixConfig config, CancellationToken cancellationToken)
    {
        var servers = new List<HttpEndpointServer>();
        ILogger logger = LoggerFactory.CreateLogger("http");
        if (config.HealthEnabled)
        {
            servers.Add(HttpEndpointServer.Bind(config.HealthHost, config.HealthPort, HealthEndpoints.Create(_health), logger));
        }

        if (config.PrometheusMetricsEnabled)
        {
            servers.Add(HttpEndpointServer.Bind(config.PrometheusMetricsHost, config.PrometheusMetricsPort, MetricsEndpoint.Create(_registry), logger));
            _metrics.RegisterPolicyCounters(ReadPolicyCounters);
            if (config.FelixHostname.Length > 0)
            {
                _metrics.RegisterHost(config.FelixHostname);
            }
        }

        return Task.FromResult<IAsyncDisposable>(new RunningServers(servers, cancellationToken));
    }

    /// <summary>The kernel-capabilities reporter on this process's health and metrics endpoints.</summary>
    public Kernel.KernelCapabilityReport CreateKernelReport(Linux.Kernel.KernelCapabilities capabilities) =>
        new(capabilities, _health, _registry, LoggerFactory.CreateLogger("kernel"));

    /// <param name="bpfRoot">Where the eBPF dataplane pins its maps (<c>CALICO_BPF_ROOT</c>), used while bpfEnabled is true.</param>
    public IDataplaneDriver CreateDataplaneDriver(FelixConfig config, string bpfRoot)
    {
        var routeOptions = new RouteManagerOptions
        {
            WorkloadInterfacePrefixes = config.InterfacePrefix.Count > 0 ? config.InterfacePrefix : ["cali"],
            RemoveExternalRoutes = config.RemoveExternalRoutes,
        };
        var interfaceSettings = new WorkloadInterfaceSettings
        {
            IPv4Enabled = true,
            IPv6Enabled = config.Ipv6Support,
            DefaultRpFilter = HostRpFilterDefault.Read(LoggerFactory.CreateLogger("felix")),
        };
        var bpf = new Felix.Dataplane.Bpf.BpfDataplaneOptions(bpfRoot);
        _driver = new LinuxDataplaneDriver(routeOptions, interfaceSettings, LoggerFactory, bpf);
        _driver.Statistics.RouteSynced = took => _metrics.RouteTableResyncTime.Observe(took.TotalSeconds);
        return _driver;
    }

    public ValueTask DisposeAsync()
    {
        _driver?.Dispose();
        _provider.Dispose();
        return ValueTask.CompletedTask;
    }

    // ---- IAgentTelemetry ------------------------------------------------------------------------------------

    public void Heartbeat() => _reporter.Report(true, _ready, _reason);

    public void SetReadiness(bool ready, string reason)
    {
        _ready = ready;
        _reason = reason;
        _reporter.Report(true, ready, reason);
    }

    public void CalcGraphUpdated(TimeSpan duration, int datastoreUpdates) => _metrics.CalcGraphUpdateTime.Observe(duration.TotalSeconds);

    public void DataplaneFailed(string reason) => _metrics.DataplaneFailures.Inc();

    public void ResyncStarted() => _metrics.ResyncsStarted.Inc();

    public void UnsupportedSettings(IReadOnlyList<Calico.Api.Support.SupportFinding> refused) => _unsupported = refused;
    public void CorruptResources(IReadOnlyList<CorruptResource> corrupt) => _corrupt = corrupt;

    private (DateTime At, IEnumerable<PolicyCounterSample> Samples)? _lastCounters;

    /// <summary>
    /// At scrape time: one <c>nft -j list table</c>, rule counters summed per policy chain. Listing a large table
    /// costs (seconds at 100k rules), so a result is reused for 10 s: scrapes closer together see the same values.
    /// </summary>
    private IEnumerable<PolicyCounterSample> ReadPolicyCounters()
    {
        if (_lastCounters is { } last && DateTime.UtcNow - last.At < TimeSpan.FromSeconds(10))
        {
            return last.Samples;
        }

        IEnumerable<PolicyCounterSample> samples = ReadPolicyCountersNow();
        _lastCounters = (DateTime.UtcNow, samples);
        return samples;
    }

    private List<PolicyCounterSample> ReadPolicyCountersNow()
    {
        IReadOnlyList<PolicyKey> policies = _driver?.ProgrammedPolicies ?? [];
        if (policies.Count == 0)
        {
            return [];
        }

        string? json;
        try
        {
            json = NftRunner.ListTableJsonAsync("inet", NftTableNames.Table, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            _driver?.Statistics.NftList(failed: true);
            throw;
        }

        _driver?.Statistics.NftList(failed: false);
        if (json is null)
        {
            return [];
        }

        IReadOnlyDictionary<string, (long Packets, long Bytes)> byChain = NftCounters.ParseRuleCountersByChain(json);
        var samples = new List<PolicyCounterSample>(policies.Count * 2);
        foreach (PolicyKey key in policies)
        {
            string name = key.Namespace is null ? key.Name : key.Namespace + "/" + key.Name;
            foreach (bool inbound in (bool[])[true, false])
            {
                if (byChain.TryGetValue(NftablesRenderer.PolicyChainName(key, inbound), out var counts))
                {
                    samples.Add(new PolicyCounterSample(key.Tier, name, inbound ? "ingress" : "egress", (ulong)Math.Max(0, counts.Packets), (ulong)Math.Max(0, counts.Bytes)));
                }
            }
        }

        return samples;
    }

    private sealed class RunningServers : IAsyncDisposable
    {
        private readonly List<HttpEndpointServer> _servers;
        private readonly CancellationTokenSource _stop;
        private readonly List<Task> _running = [];

        public RunningServers(List<HttpEndpointServer> servers, CancellationToken cancellationToken)
        {
            _servers = servers;
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            foreach (HttpEndpointServer server in servers)
            {
                _running.Add(server.RunAsync(_stop.Token));
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(_running).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            foreach (HttpEndpointServer server in _servers)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }

            _stop.Dispose();
        }
    }

    /// <summary>An ILoggerFactory over one provider (Microsoft.Extensions.Logging's factory is not needed for that).</summary>
    private sealed class ProviderLoggerFactory(ILoggerProvider provider) : ILoggerFactory
    {
        public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

        public ILogger CreateLogger(string categoryName) => provider.CreateLogger(categoryName);

        public void Dispose() { }
    }
}
