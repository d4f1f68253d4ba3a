using Calico.Api;
using Calico.Client;
using Calico.Datastore;
using Calico.Datastore.Etcd;
using Calico.Ipam;
using Calico.KubeControllers.Config;
using Calico.KubeControllers.Controllers;
using Calico.KubeControllers.Health;
using Calico.KubeControllers.Leadership;
using Calico.Observability.Http;
using Calico.Observability.Logging;
using Calico.Observability.Metrics;
using Microsoft.Extensions.Logging;

namespace Calico.KubeControllers;

/// <summary>
/// The running process: start-up (datastore initialised, configuration read or created), the lease, and, while this
/// instance holds it, the controllers. A configuration change restarts the controllers in-process with the new
/// settings (upstream restarts the whole process).
/// </summary>
internal sealed partial class ControllersHost(
    ControllersOptions options,
    EnvironmentSettings environment,
    IKeyValueStore store,
    CalicoLoggerProvider logProvider,
    ILoggerFactory loggerFactory,
    TimeProvider time,
    TextWriter stderr)
{
    private static readonly TimeSpan StartupDeadline = TimeSpan.FromSeconds(60);

    private readonly ILogger _logger = loggerFactory.CreateLogger("calico-kube-controllers");
    private readonly ResourceClient _client = new(store, time);
    private readonly StatusFile _status = new(options.StatusFile, time);
    private readonly MetricsRegistry _registry = new();
    private ControllerMetrics? _metrics;
    private volatile RunConfig? _config;

    public async Task<int> RunAsync(CancellationToken stop)
    {
        _metrics = new ControllerMetrics(_registry);
        _status.SetReady("Startup", false, "initialized to false");
        if (!await InitializeDatastoreAsync(stop).ConfigureAwait(false))
        {
            return stop.IsCancellationRequested ? 0 : 1;
        }

        _status.SetReady("Startup", true, "");
        var source = new ConfigSource(_client);
        KubeControllersConfiguration kcc;
        RunConfigMerger.Result merged;
        try
        {
            kcc = await source.GetOrCreateAsync(stop).ConfigureAwait(false);
            merged = RunConfigMerger.Merge(environment, kcc.Spec);
        }
        catch (Exception e) when (e is ValidationException or CorruptResourceException)
        {
            await stderr.WriteLineAsync("calico-kube-controllers: KubeControllersConfiguration default: " + e.Message).ConfigureAwait(false);
            return 1;
        }

        Apply(merged);
        var identity = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";
        using var lease = new LeaseKeeper(store, identity, options.LeaseDuration, time, loggerFactory.CreateLogger("lease"));
        lease.LeadershipChanged += active =>
        {
            _status.SetActive(active);
            _metrics.SetActive(active);
        };
        _status.SetActive(false);

        using var leaseStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var leaseTask = lease.RunAsync(leaseStop.Token);
        var healthTask = HealthLoopAsync(stop);
        int exit = 0;
        try
        {
            exit = await GenerationsAsync(source, kcc, merged, lease, stop).ConfigureAwait(false);
        }
        finally
        {
            await leaseStop.CancelAsync().ConfigureAwait(false);
            await leaseTask.ConfigureAwait(false);
            await healthTask.ConfigureAwait(false);
        }

        return exit;
    }

    private async Task<bool> InitializeDatastoreAsync(CancellationToken stop)
    {
        var deadline = time.GetUtcNow() + StartupDeadline;
        while (true)
        {
            try
            {
                await _client.EnsureInitializedAsync(stop).ConfigureAwait(false);
                return true;
            }
            catch (Exception e) when (e is DatastoreUnavailableException or TimeoutException && !stop.IsCancellationRequested)
            {
                _status.SetReady("Startup", false, "Error initializing datastore: " + e.Message);
                Log.InitFailed(_logger, e.Message);
                if (time.GetUtcNow() > deadline)
                {
                    await stderr.WriteLineAsync("calico-kube-controllers: failed to initialize the Calico datastore within 60 s: " + e.Message).ConfigureAwait(false);
                    return false;
                }
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(5), time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    private void Apply(RunConfigMerger.Result merged)
    {
        _config = merged.Config;
        logProvider.MinimumLevel = merged.Config.LogSeverityScreen.ToMinimumLevel();
        foreach (var warning in merged.Warnings)
        {
            Log.NotActing(_logger, warning);
        }

        Log.Running(_logger, merged.Config.Fingerprint);
    }

    /// <summary>One generation per configuration: metrics server and controllers, until the configuration changes.</summary>
    private async Task<int> GenerationsAsync(ConfigSource source, KubeControllersConfiguration kcc, RunConfigMerger.Result merged, LeaseKeeper lease, CancellationToken stop)
    {
        bool first = true;
        while (!stop.IsCancellationRequested)
        {
            var config = merged.Config;
            using var generation = CancellationTokenSource.CreateLinkedTokenSource(stop);
            HttpEndpointServer? server = null;
            if (config.PrometheusMetricsPort > 0)
            {
                try
                {
                    server = HttpEndpointServer.Bind("", config.PrometheusMetricsPort, MetricsEndpoint.Create(_registry), _logger);
                    Log.MetricsServing(_logger, config.PrometheusMetricsPort);
                }
                catch (HttpBindException e)
                {
                    if (first)
                    {
                        await stderr.WriteLineAsync($"calico-kube-controllers: cannot serve metrics on prometheusMetricsPort {config.PrometheusMetricsPort}: {e.Message}").ConfigureAwait(false);
                        return 1;
                    }

                    Log.MetricsBindFailed(_logger, config.PrometheusMetricsPort, e.Message);
                }
            }

            first = false;
            var serverTask = server?.RunAsync(generation.Token) ?? Task.CompletedTask;
            var controllersTask = ControllersWhileActiveAsync(config, lease, generation.Token);
            try
            {
                (kcc, merged) = await WaitForConfigChangeAsync(source, kcc, merged, lease, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            finally
            {
                await generation.CancelAsync().ConfigureAwait(false);
                await IgnoreCancellation(controllersTask).ConfigureAwait(false);
                await IgnoreCancellation(serverTask).ConfigureAwait(false);
                if (server is not null)
                {
                    await server.DisposeAsync().ConfigureAwait(false);
                }
            }

            if (!stop.IsCancellationRequested)
            {
                Apply(merged);
            }
        }

        return 0;
    }

    /// <summary>Polls <c>default</c>; writes its status while active; returns when what runs must change.</summary>
    private async Task<(KubeControllersConfiguration, RunConfigMerger.Result)> WaitForConfigChangeAsync(
        ConfigSource source, KubeControllersConfiguration kcc, RunConfigMerger.Result merged, LeaseKeeper lease, CancellationToken stop)
    {
        while (true)
        {
            if (lease.IsLeader)
            {
                try
                {
                    await source.WriteStatusAsync(kcc, merged.Status, stop).ConfigureAwait(false);
                }
                catch (Exception e) when (IsTransient(e) && !stop.IsCancellationRequested)
                {
                    Log.ConfigReadFailed(_logger, e.Message);
                }
            }

            await Task.Delay(options.PollInterval, time, stop).ConfigureAwait(false);
            try
            {
                var next = await source.GetOrCreateAsync(stop).ConfigureAwait(false);
                if (next.Metadata.ResourceVersion == kcc.Metadata.ResourceVersion)
                {
                    continue;
                }

                var nextMerged = RunConfigMerger.Merge(environment, next.Spec);
                kcc = next;
                if (nextMerged.Config.Fingerprint != merged.Config.Fingerprint)
                {
                    return (kcc, nextMerged);
                }

                merged = nextMerged;
            }
            catch (ValidationException e)
            {
                // Keep running what was valid; say what is wrong until it is fixed.
                Log.ConfigRejected(_logger, e.Message);
            }
            catch (Exception e) when ((IsTransient(e) || e is CorruptResourceException) && !stop.IsCancellationRequested)
            {
                Log.ConfigReadFailed(_logger, e.Message);
            }
        }
    }

    private async Task ControllersWhileActiveAsync(RunConfig config, LeaseKeeper lease, CancellationToken generation)
    {
        while (!generation.IsCancellationRequested)
        {
            if (lease.Leadership is not { IsCancellationRequested: false } leadership)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), time, generation).ConfigureAwait(false);
                continue;
            }

            using var active = CancellationTokenSource.CreateLinkedTokenSource(generation, leadership);
            var loops = new List<Task> { NodeLoopAsync(config, active.Token) };
            if (store is EtcdKeyValueStore etcd && config.EtcdV3CompactionPeriod > TimeSpan.Zero)
            {
                loops.Add(CompactionLoopAsync(etcd, config.EtcdV3CompactionPeriod, active.Token));
            }

            await IgnoreCancellation(Task.WhenAll(loops)).ConfigureAwait(false);
        }
    }

    /// <summary>The node controller: GC scans every scan period (sooner when a node disappears), host endpoints every poll.</summary>
    private async Task NodeLoopAsync(RunConfig config, CancellationToken active)
    {
        if (config.Node is not { } node)
        {
            return;
        }

        var ipam = new IpamClient(store, time) { CacheValidity = TimeSpan.Zero };
        var gc = new IpamGarbageCollector(_client, ipam, time, loggerFactory.CreateLogger("ipam-gc"), _metrics);
        var heps = new AutoHostEndpointController(_client, loggerFactory.CreateLogger("auto-hep"));
        var nextScan = time.GetUtcNow();
        HashSet<string>? knownNodes = null;
        bool nodesGone = false;
        while (!active.IsCancellationRequested)
        {
            try
            {
                var (items, _) = await _client.ListAsync(ResourceKinds.Node, null, active).ConfigureAwait(false);
                var names = items.Select(n => n.Metadata.Name!).ToHashSet(StringComparer.Ordinal);
                if (knownNodes is not null && knownNodes.Any(n => !names.Contains(n)))
                {
                    nodesGone = true;
                }

                knownNodes = names;
                await heps.SyncAsync(node, active).ConfigureAwait(false);
                if (nodesGone || time.GetUtcNow() >= nextScan)
                {
                    nodesGone = false;
                    var result = await gc.ScanAsync(node.LeakGracePeriod, active).ConfigureAwait(false);
                    _metrics?.Scanned();
                    Log.Scanned(_logger, result.Released, result.Candidates, result.NodesCleaned.Count, result.BlocksReleased.Count);
                    nextScan = time.GetUtcNow() + node.ScanPeriod;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !active.IsCancellationRequested)
            {
                // Whatever failed (datastore, a value that cannot be written), the next round retries from fresh reads.
                Log.ControllerFailed(_logger, "node", e.Message);
            }

            await Task.Delay(options.PollInterval, time, active).ConfigureAwait(false);
        }
    }

    private async Task CompactionLoopAsync(EtcdKeyValueStore etcd, TimeSpan period, CancellationToken active)
    {
        var compactor = new EtcdCompactor(etcd, loggerFactory.CreateLogger("etcd-compaction"), _metrics);
        Log.CompactionEvery(_logger, period.TotalSeconds);
        while (!active.IsCancellationRequested)
        {
            try
            {
                await compactor.StepAsync(active).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !active.IsCancellationRequested)
            {
                Log.ControllerFailed(_logger, "etcd compaction", e.Message);
            }

            await Task.Delay(period, time, active).ConfigureAwait(false);
        }
    }

    /// <summary>Upstream's runHealthChecks: the datastore answers (when healthChecks is enabled); always a fresh status file.</summary>
    private async Task HealthLoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (_config?.HealthEnabled != false)
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
                    timeout.CancelAfter(TimeSpan.FromSeconds(4));
                    try
                    {
                        _ = await _client.GetAsync(ResourceKinds.ClusterInformation, null, "default", timeout.Token).ConfigureAwait(false);
                        _status.SetReady("CalicoDatastore", true, "");
                    }
                    catch (Exception e) when ((IsTransient(e) || e is OperationCanceledException or CorruptResourceException) && !stop.IsCancellationRequested)
                    {
                        _status.SetReady("CalicoDatastore", false, "Error verifying datastore: " + e.Message);
                    }
                }
                else
                {
                    _status.Write();
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.StatusWriteFailed(_logger, _status.Path, e.Message);
            }

            try
            {
                await Task.Delay(_status.IsReady ? options.HealthInterval : TimeSpan.FromSeconds(2), time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static bool IsTransient(Exception e) => e is DatastoreUnavailableException or TimeoutException or IOException;

    private static async Task IgnoreCancellation(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Running configuration: {Config}")]
        public static partial void Running(ILogger logger, string config);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "{Warning}")]
        public static partial void NotActing(ILogger logger, string warning);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Failed to initialize datastore: {Reason}")]
        public static partial void InitFailed(ILogger logger, string reason);

        [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Serving Prometheus metrics on port {Port}")]
        public static partial void MetricsServing(ILogger logger, int port);

        [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "Cannot serve metrics on port {Port}: {Reason}")]
        public static partial void MetricsBindFailed(ILogger logger, int port, string reason);

        [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "KubeControllersConfiguration default refused, keeping the running configuration: {Reason}")]
        public static partial void ConfigRejected(ILogger logger, string reason);

        [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Cannot read or update KubeControllersConfiguration default: {Reason}")]
        public static partial void ConfigReadFailed(ILogger logger, string reason);

        [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "{Controller} controller failed, retrying: {Reason}")]
        public static partial void ControllerFailed(ILogger logger, string controller, string reason);

        [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "IPAM scan: {Released} leaked addresses released, {Candidates} candidates in their grace period, {Nodes} deleted nodes cleaned up, {Blocks} empty blocks released")]
        public static partial void Scanned(ILogger logger, int released, int candidates, int nodes, int blocks);

        [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Compacting etcd history every {Seconds} s")]
        public static partial void CompactionEvery(ILogger logger, double seconds);

        [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Cannot write status file {Path}: {Reason}")]
        public static partial void StatusWriteFailed(ILogger logger, string path, string reason);
    }
}
