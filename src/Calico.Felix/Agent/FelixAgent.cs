using System.Threading.Channels;
using Calico.Api;
using Calico.Client;
using Calico.Datastore;
using Calico.Datastore.Syncer;
using Calico.Felix.Calc;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;
using Microsoft.Extensions.Logging;

namespace Calico.Felix.Agent;

/// <summary>
/// Felix's main loop: datastore updates in (from the syncer, on its task, through a typed channel), dataplane out (on
/// this loop's task). Everything the loop owns (graph, dataplane state, inputs) is touched only by the loop, so
/// nothing is locked. Updates that arrive while an apply runs are coalesced into the next batch: under load the
/// batches grow and the number of kernel transactions does not.
/// Start of day: nothing is programmed (so nothing an earlier run left is removed) until the syncer is in sync;
/// the first apply then replaces the old ruleset atomically.
/// Routing (BGP, VXLAN, tunnel addresses) is not done here: calico-node runs it in a loop of its own, which reports
/// its outcome through <see cref="ReportRouting"/> for readiness. Timers (retry, refresh) run on the injected clock.
/// </summary>
internal sealed partial class FelixAgent : ISyncerCallbacks
{
    private readonly ChannelWriter<AgentMessage> _messages;
    private readonly AgentInbox _inbox;
    private readonly ICalculationGraph _graph;
    private readonly DataplaneState _state = new();
    private readonly AgentInputs _inputs;
    private readonly PoolsAndRenderConfig _settings;
    private readonly CorruptValueFilter _corruptFilter = new();
    private readonly HostEndpointBinding _hostEndpoints = new();
    private readonly UnsupportedSettings _unsupported;
    private readonly ClusterStatistics _cluster = new();
    private readonly Dictionary<string, int> _batchKinds = new(StringComparer.Ordinal);
    private readonly IDataplaneDriver _driver;
    private readonly RefreshSchedule _refresh;
    private readonly IAgentTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _retryDelay;

    private string? _routingError;
    private string? _dataplaneError;
    private bool _inSync;
    private bool _dirty;
    private int _pendingMessages;

    public FelixAgent(
        string nodeName,
        ICalculationGraph graph,
        Channel<AgentMessage> messages,
        IDataplaneDriver driver,
        Func<AgentInputs, RenderConfig> renderConfigFor,
        TimeSpan refreshInterval,
        TimeSpan retryDelay,
        TimeProvider time,
        IAgentTelemetry? telemetry,
        ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(messages);
        _graph = graph;
        _messages = messages.Writer;
        _inbox = new AgentInbox(messages.Reader, time);
        _inputs = new AgentInputs(nodeName);
        _settings = new PoolsAndRenderConfig(renderConfigFor, _inputs);
        _unsupported = new UnsupportedSettings(nodeName, logger);
        _driver = driver;
        _refresh = new RefreshSchedule(refreshInterval, time);
        _retryDelay = retryDelay;
        _time = time;
        _telemetry = telemetry ?? NullAgentTelemetry.Instance;
        _logger = logger;
        _telemetry.SetReadiness(false, "waiting for the datastore to sync");
    }

    /// <summary>An agent over a new calculation graph and channel (retry after 1 s unless said, the system clock unless said).</summary>
    public static FelixAgent Create(
        string nodeName,
        IDataplaneDriver driver,
        Func<AgentInputs, RenderConfig> renderConfigFor,
        TimeSpan refreshInterval,
        IAgentTelemetry? telemetry,
        ILogger logger,
        TimeSpan? retryDelay = null,
        TimeProvider? time = null) =>
        new(
            nodeName,
            new CalculationGraph(nodeName),
            Channel.CreateUnbounded<AgentMessage>(new UnboundedChannelOptions { SingleReader = true }),
            driver,
            renderConfigFor,
            refreshInterval,
            retryDelay ?? TimeSpan.FromSeconds(1),
            time ?? TimeProvider.System,
            telemetry,
            logger);

    /// <summary>
    /// The prefixes the agent reads: the graph's kinds, pools, configuration and nodes, and the BGP kinds (only for
    /// the report of settings this implementation refuses).
    /// </summary>
    public static IReadOnlyList<string> WatchedPrefixes { get; } =
    [
        ResourceIdentity.Prefix(ResourceKinds.Tier, null),
        ResourceIdentity.Prefix(ResourceKinds.NetworkPolicy, null),
        ResourceIdentity.Prefix(ResourceKinds.GlobalNetworkPolicy, null),
        ResourceIdentity.Prefix(ResourceKinds.StagedNetworkPolicy, null),
        ResourceIdentity.Prefix(ResourceKinds.StagedGlobalNetworkPolicy, null),
        ResourceIdentity.Prefix(ResourceKinds.StagedKubernetesNetworkPolicy, null),
        ResourceIdentity.Prefix(ResourceKinds.Profile, null),
        ResourceIdentity.Prefix(ResourceKinds.WorkloadEndpoint, null),
        ResourceIdentity.Prefix(ResourceKinds.HostEndpoint, null),
        ResourceIdentity.Prefix(ResourceKinds.NetworkSet, null),
        ResourceIdentity.Prefix(ResourceKinds.GlobalNetworkSet, null),
        ResourceIdentity.Prefix(ResourceKinds.IPPool, null),
        ResourceIdentity.Prefix(ResourceKinds.FelixConfiguration, null),
        ResourceIdentity.Prefix(ResourceKinds.Node, null),
        ResourceIdentity.Prefix(ResourceKinds.BGPConfiguration, null),
        ResourceIdentity.Prefix(ResourceKinds.BGPPeer, null),
    ];

    /// <summary>The dataplane state so far (for tests and status).</summary>
    internal DataplaneState State => _state;

    internal bool InSync => _inSync;

    /// <summary>Applies completed since start (for tests).</summary>
    internal int AppliedCount { get; private set; }

    public void OnStatusUpdated(SyncStatus status) => _messages.TryWrite(AgentMessage.ForStatus(status));

    public void OnUpdates(IReadOnlyList<SyncUpdate> updates) => _messages.TryWrite(AgentMessage.ForUpdates(updates));

    /// <summary>The routing loop's outcome (any thread): an error (each failure, for the metric), or null once fixed.</summary>
    public void ReportRouting(string? error) => _messages.TryWrite(AgentMessage.ForRouting(error));

    /// <summary>The host's interfaces and addresses (any thread), after each change: host endpoints by address follow them.</summary>
    public void ReportHostInterfaces(HostInterfaces interfaces) => _messages.TryWrite(AgentMessage.ForHostInterfaces(interfaces));

    /// <summary>Runs until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _refresh.Restart();
        while (!cancellationToken.IsCancellationRequested)
        {
            _telemetry.Heartbeat();
            bool gotMessage = await _inbox.WaitAsync(NextWait(), _refresh.InFlight, cancellationToken).ConfigureAwait(false);
            if (gotMessage)
            {
                ProcessInbox();
            }

            if (_inSync && _dirty)
            {
                await ApplyAsync(cancellationToken).ConfigureAwait(false);
            }
            else if (_inSync && _refresh.IsDue)
            {
                _refresh.Begin(_driver, cancellationToken);
            }

            if (_refresh.ReadingCompleted)
            {
                await FinishRefreshAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private TimeSpan NextWait()
    {
        if (_inSync && _dirty)
        {
            return _retryDelay; // a failed apply is retried
        }

        if (!_inSync || _refresh.Interval <= TimeSpan.Zero)
        {
            return TimeSpan.FromSeconds(10);
        }

        return _refresh.UntilDue;
    }

    /// <summary>Drains everything queued into the graph and the inputs, then flushes the graph once.</summary>
    internal void ProcessInbox()
    {
        long started = _time.GetTimestamp();
        int count = 0;
        int interfaceReports = 0;
        while (_inbox.TryRead(out AgentMessage message))
        {
            switch (message.Kind)
            {
                case AgentMessageKind.Updates:
                    foreach (SyncUpdate update in message.Updates!)
                    {
                        OnUpdate(update);
                    }

                    count += message.Updates!.Count;
                    break;
                case AgentMessageKind.Status:
                    _telemetry.SyncState(message.Status);
                    if (message.Status == SyncStatus.InSync && !_inSync)
                    {
                        _graph.OnInSync();
                        _inSync = true;
                        _dirty = true;
                        Log.InSync(_logger);
                    }
                    else if (message.Status == SyncStatus.ResyncInProgress)
                    {
                        _telemetry.ResyncStarted();
                    }

                    break;
                case AgentMessageKind.Routing:
                    OnRouting(message.RoutingError);
                    break;
                case AgentMessageKind.HostInterfaces:
                    interfaceReports++;
                    if (_hostEndpoints.SetInterfaces(message.Interfaces!))
                    {
                        Log.HostInterfaces(_logger, message.Interfaces!);
                    }

                    break;
            }
        }

        IReadOnlyList<DataplaneUpdate> flushed = _graph.Flush();
        _state.Apply(_hostEndpoints.TakeHostEndpoints(flushed));
        if (flushed.Count > 0)
        {
            _dirty = true;
            _pendingMessages += flushed.Count;
        }

        if (_corruptFilter.TakeChanged())
        {
            _telemetry.CorruptResources(_corruptFilter.Corrupt);
            UpdateReadiness();
        }

        if (_settings.UpdatePools(_inputs))
        {
            _dirty = true;
        }

        if (_settings.UpdateRenderConfig(_inputs))
        {
            Log.ConfigChanged(_logger);
            _dirty = true;
        }

        if (_hostEndpoints.Bind(_state, _settings.Render.InterfacePrefix))
        {
            _dirty = true;
        }

        if (_unsupported.TakeChanged())
        {
            _telemetry.UnsupportedSettings(_unsupported.All());
            UpdateReadiness();
        }

        _telemetry.CalcGraphUpdated(_time.GetElapsedTime(started), count);
        _telemetry.Batch(_batchKinds, flushed, interfaceReports);
        _batchKinds.Clear();
        _telemetry.Counts(new AgentCounts(
            _cluster.Hosts, _cluster.WorkloadEndpoints, _cluster.HostEndpoints, _cluster.Tiers, _cluster.Policies, _cluster.Profiles,
            _state.Endpoints.Count, _state.Policies.Count, _state.IpSets.Count));
    }

    private void OnUpdate(SyncUpdate update)
    {
        if (!ResourceClient.TryParseKey(update.Key, out ResourceKind? kind, out string? ns, out string name))
        {
            return; // IPAM keys: the routing loop's
        }

        // Never "unreadable = deleted" (upstream's choice, which opens what a corrupt policy protected): the filter
        // keeps the last good version, stands in a deny-all for a policy it never read, or skips other kinds.
        if (!_corruptFilter.Filter(kind, ns, name, update.Key, update.Value, update.Revision, out Resource? value, out string? error))
        {
            Log.BadValueSkipped(_logger, update.Key, error!);
            return;
        }

        if (error is not null)
        {
            Log.BadValue(_logger, update.Key, error);
        }

        _unsupported.Track(update.Key, value);
        _cluster.Track(kind, name, update.Key, value);
        _batchKinds[kind.Kind] = _batchKinds.GetValueOrDefault(kind.Kind) + 1;
        if (kind == ResourceKinds.BGPConfiguration || kind == ResourceKinds.BGPPeer || _inputs.TryApply(kind, name, value))
        {
            return;
        }

        _graph.OnUpdate(new ResourceUpdate(kind, ns, name, value));
    }

    private void OnRouting(string? error)
    {
        if (error is not null)
        {
            _telemetry.DataplaneFailed(error);
        }

        if (error != _routingError)
        {
            _routingError = error;
            UpdateReadiness();
        }
    }

    private DesiredDataplane Desired() => new(_state, _settings.AllPools, _settings.MasqueradePools, _settings.Render) { HostAddresses = _settings.HostAddresses, IpipPoolCidrs = _settings.IpipPools, VxlanPoolCidrs = _settings.VxlanPools };

    private async Task ApplyAsync(CancellationToken cancellationToken)
    {
        long started = _time.GetTimestamp();
        try
        {
            await _driver.ApplyAsync(Desired(), cancellationToken).ConfigureAwait(false);
            _dirty = false;
            AppliedCount++;
            TimeSpan took = _time.GetElapsedTime(started);
            _telemetry.DataplaneApplied(took, _pendingMessages);
            if (AppliedCount == 1)
            {
                Log.FirstApply(_logger, took.TotalMilliseconds, _state.Endpoints.Count, _state.Policies.Count, _state.IpSets.Count);
            }

            _pendingMessages = 0;
            _dataplaneError = null;
            UpdateReadiness();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // The previous kernel state stays in force; _dirty stays set so the loop retries after _retryDelay.
            Log.ApplyFailed(_logger, e.Message);
            _telemetry.DataplaneFailed(e.Message);
            _dataplaneError = "dataplane update failed: " + e.Message;
            UpdateReadiness();
        }
    }

    /// <summary>Refresh, second half: compares the read-back with what was applied and repairs the difference.</summary>
    private async Task FinishRefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            DriftResult result = await _refresh.FinishAsync(_driver, Desired(), cancellationToken).ConfigureAwait(false);
            if (result.Repaired is not null)
            {
                Log.DriftRepaired(_logger, result.Repaired);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            Log.ApplyFailed(_logger, "refresh: " + e.Message);
            _telemetry.DataplaneFailed(e.Message);
            _dirty = true;
        }
    }

    /// <summary>The keys this host fails closed for, or null; last-good stand-ins are reported by the metric only.</summary>
    private string? FailedClosedReason()
    {
        List<string>? parts = null;
        foreach (CorruptResource c in _corruptFilter.Corrupt)
        {
            if (c.Handling != CorruptHandling.LastGood)
            {
                (parts ??= []).Add($"{c.Key} ({c.HandlingLabel}): {c.Reason}");
            }
        }

        return parts is null ? null : "corrupt datastore values, failing closed: " + string.Join("; ", parts);
    }

    /// <summary>
    /// Ready once programmed, with neither the policy dataplane nor routing failing, and no datastore value this host
    /// had to fail closed for (a stand-in deny-all or a skipped resource); else why not.
    /// </summary>
    private void UpdateReadiness()
    {
        if (AppliedCount == 0)
        {
            _telemetry.SetReadiness(false, _dataplaneError ?? "waiting for the datastore to sync");
        }
        else if (_dataplaneError is not null || _routingError is not null)
        {
            _telemetry.SetReadiness(false, Join(_dataplaneError ?? ("routing: " + _routingError), _unsupported.Reasons()));
        }
        else if (FailedClosedReason() is { } corrupt)
        {
            _telemetry.SetReadiness(false, Join(corrupt, _unsupported.Reasons()));
        }
        else
        {
            var (blocking, degraded) = _unsupported.Reasons();
            _telemetry.SetReadiness(blocking is null, Join(null, (blocking, degraded)));
        }
    }

    private static string Join(string? first, (string? Blocking, string? Degraded) unsupported)
    {
        var parts = new List<string>(3);
        foreach (string? part in (string?[])[first, unsupported.Blocking, unsupported.Degraded])
        {
            if (part is not null)
            {
                parts.Add(part);
            }
        }

        return string.Join("; ", parts);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Datastore in sync: programming the dataplane")]
        public static partial void InSync(ILogger logger);

        [LoggerMessage(2, LogLevel.Information, "First dataplane apply done in {Milliseconds:F1} ms: {Endpoints} local endpoints, {Policies} active policies, {IpSets} IP sets")]
        public static partial void FirstApply(ILogger logger, double milliseconds, int endpoints, int policies, int ipSets);

        [LoggerMessage(3, LogLevel.Error, "Dataplane update failed, previous state stays in force; retrying: {Reason}")]
        public static partial void ApplyFailed(ILogger logger, string reason);

        [LoggerMessage(4, LogLevel.Error, "Value of {Key} cannot be read; its last good version or a fail-closed stand-in is used: {Reason}")]
        public static partial void BadValue(ILogger logger, string key, string reason);

        [LoggerMessage(8, LogLevel.Error, "Value of {Key} cannot be read and there is no good version of it; skipped: {Reason}")]
        public static partial void BadValueSkipped(ILogger logger, string key, string reason);

        [LoggerMessage(5, LogLevel.Warning, "Dataplane drift repaired: {What}")]
        public static partial void DriftRepaired(ILogger logger, string what);

        [LoggerMessage(6, LogLevel.Information, "Felix configuration changed; re-rendering the dataplane")]
        public static partial void ConfigChanged(ILogger logger);

        [LoggerMessage(9, LogLevel.Information, "Host interfaces changed; host endpoints re-resolved: {Interfaces}")]
        public static partial void HostInterfaces(ILogger logger, HostInterfaces interfaces);
    }
}
