using System.Diagnostics;
using System.Threading.Channels;
using Calico.Api;
using Calico.Api.Support;
using Calico.Client;
using Calico.Datastore;
using Calico.Datastore.Syncer;
using Calico.Felix.Calc;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;
using Microsoft.Extensions.Logging;

namespace Calico.Node.Agent;

/// <summary>
/// Felix's main loop: datastore updates in (from the syncer, on its task), dataplane out (on this loop's task).
/// Everything the loop owns (graph, dataplane state, inputs) is touched only by the loop, so nothing is locked.
/// Updates that arrive while an apply runs are coalesced into the next batch: under load the batches grow and
/// the number of kernel transactions does not.
/// Start of day: nothing is programmed (so nothing an earlier run left is removed) until the syncer is in sync;
/// the first apply then replaces the old ruleset atomically.
/// </summary>
internal sealed partial class FelixAgent : ISyncerCallbacks
{
    private readonly Channel<object> _inbox = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CalculationGraph _graph;
    private readonly DataplaneState _state = new();
    private readonly AgentInputs _inputs;
    private readonly CorruptValueFilter _corruptFilter = new();
    private readonly IDataplaneDriver _driver;
    private readonly IRoutingDriver? _routing;
    private readonly RoutingInputs _routingInputs;
    private bool _routingDirty;
    private readonly string _nodeName;

    /// <summary>Refused settings per datastore key (docs/support-matrix.md): logged once, counted, shown on /readiness.</summary>
    private readonly Dictionary<string, IReadOnlyList<SupportFinding>> _unsupported = new(StringComparer.Ordinal);
    private bool _unsupportedChanged;
    private string? _routingError;
    private string? _dataplaneError;
    private readonly Func<AgentInputs, RenderConfig> _renderConfigFor;
    private readonly IAgentTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly TimeSpan _refreshInterval;
    private readonly TimeSpan _retryDelay;
    private RenderConfig _renderConfig;
    private IReadOnlyList<string> _allPools = [];
    private IReadOnlyList<string> _masqPools = [];
    private bool _inSync;
    private bool _dirty;
    private int _pendingMessages;
    private DateTime _nextRefresh;

    /// <summary>The kernel read-back of a refresh in progress (null result: read on the loop instead).</summary>
    private Task<KernelReading?>? _kernelReading;
    private int _staleReadings;
    private const int MaxStaleReadings = 3;
    private static readonly TimeSpan StaleReadingRetry = TimeSpan.FromSeconds(1);

    public FelixAgent(
        string nodeName,
        IDataplaneDriver driver,
        Func<AgentInputs, RenderConfig> renderConfigFor,
        TimeSpan refreshInterval,
        IAgentTelemetry? telemetry,
        ILogger logger,
        TimeSpan? retryDelay = null,
        IRoutingDriver? routing = null)
    {
        _nodeName = nodeName;
        _graph = new CalculationGraph(nodeName);
        _routing = routing;
        _routingInputs = new RoutingInputs(nodeName);
        _inputs = new AgentInputs(nodeName);
        _driver = driver;
        _renderConfigFor = renderConfigFor;
        _renderConfig = renderConfigFor(_inputs);
        _refreshInterval = refreshInterval;
        _retryDelay = retryDelay ?? TimeSpan.FromSeconds(1);
        _telemetry = telemetry ?? NullAgentTelemetry.Instance;
        _logger = logger;
        _telemetry.SetReadiness(false, "waiting for the datastore to sync");
    }

    /// <summary>Every prefix the agent watches: the graph's kinds, pools, configuration and nodes.</summary>
    public static IReadOnlyList<string> WatchedPrefixes { get; } =
    [
        ResourceIdentity.Prefix(ResourceKinds.Tier, null),
        ResourceIdentity.Prefix(ResourceKinds.NetworkPolicy, null),
        ResourceIdentity.Prefix(ResourceKinds.GlobalNetworkPolicy, null),
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
        RoutingInputs.AffinityPrefix,
    ];

    /// <summary>The dataplane state so far (for tests and status).</summary>
    internal DataplaneState State => _state;

    internal bool InSync => _inSync;

    /// <summary>Applies completed since start (for tests).</summary>
    internal int AppliedCount { get; private set; }

    public void OnStatusUpdated(SyncStatus status) => _inbox.Writer.TryWrite(status);

    public void OnUpdates(IReadOnlyList<SyncUpdate> updates) => _inbox.Writer.TryWrite(updates);

    /// <summary>Runs until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _nextRefresh = DateTime.UtcNow + _refreshInterval;
        while (!cancellationToken.IsCancellationRequested)
        {
            _telemetry.Heartbeat();
            TimeSpan wait = NextWait();
            bool gotMessage = await WaitForWorkAsync(wait, cancellationToken).ConfigureAwait(false);

            if (gotMessage)
            {
                ProcessInbox();
            }

            // Routing first: a new block's announcement (the other hosts' only way to reach its pods) should not wait
            // for the policy transaction of the same batch.
            if (_inSync && _routing is not null && (_routingInputs.TakeChanged() || _routingDirty))
            {
                await ApplyRoutingAsync(cancellationToken).ConfigureAwait(false);
            }

            if (_inSync && _dirty)
            {
                await ApplyAsync(cancellationToken).ConfigureAwait(false);
            }
            else if (_inSync && _kernelReading is null && DateTime.UtcNow >= _nextRefresh)
            {
                await StartRefreshAsync(cancellationToken).ConfigureAwait(false);
            }

            if (_kernelReading is { IsCompleted: true })
            {
                await FinishRefreshAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private TimeSpan NextWait()
    {
        if (_inSync && (_dirty || _routingDirty))
        {
            return _retryDelay; // a failed apply is retried
        }

        if (!_inSync || _refreshInterval <= TimeSpan.Zero)
        {
            return TimeSpan.FromSeconds(10);
        }

        TimeSpan untilRefresh = _nextRefresh - DateTime.UtcNow;
        return untilRefresh < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : untilRefresh;
    }

    /// <summary>Drains everything queued into the graph and the inputs, then flushes the graph once.</summary>
    internal void ProcessInbox()
    {
        long started = Stopwatch.GetTimestamp();
        int count = 0;
        while (_inbox.Reader.TryRead(out object? message))
        {
            switch (message)
            {
                case IReadOnlyList<SyncUpdate> updates:
                    foreach (SyncUpdate update in updates)
                    {
                        OnUpdate(update);
                    }

                    count += updates.Count;
                    break;
                case SyncStatus status:
                    if (status == SyncStatus.InSync && !_inSync)
                    {
                        _graph.OnInSync();
                        _inSync = true;
                        _dirty = true;
                        Log.InSync(_logger);
                    }
                    else if (status == SyncStatus.ResyncInProgress)
                    {
                        _telemetry.ResyncStarted();
                    }

                    break;
            }
        }

        IReadOnlyList<DataplaneUpdate> flushed = _graph.Flush();
        _state.Apply(flushed);
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

        if (_inputs.TakePoolsChanged())
        {
            RecomputePools();
        }

        if (_inputs.TakeConfigChanged())
        {
            RenderConfig next = _renderConfigFor(_inputs);
            if (next != _renderConfig)
            {
                Log.ConfigChanged(_logger);
                _renderConfig = next;
                _dirty = true;
            }
        }

        if (_unsupportedChanged)
        {
            _unsupportedChanged = false;
            _telemetry.UnsupportedSettings(AllUnsupported());
            UpdateReadiness();
        }

        _telemetry.CalcGraphUpdated(Stopwatch.GetElapsedTime(started), count);
        _telemetry.Counts(_state.Endpoints.Count, _state.Policies.Count, _inputs.NodeCount);
    }

    private void OnUpdate(SyncUpdate update)
    {
        if (!ResourceClient.TryParseKey(update.Key, out ResourceKind? kind, out string? ns, out string name))
        {
            _routingInputs.TryOnAffinity(update.Key, update.Value);
            return;
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

        TrackUnsupported(update.Key, value);
        _routingInputs.OnResource(kind, name, value);
        if (kind == ResourceKinds.BGPConfiguration || kind == ResourceKinds.BGPPeer || _inputs.TryApply(kind, name, value))
        {
            return;
        }

        _graph.OnUpdate(new ResourceUpdate(kind, ns, name, value));
    }

    /// <summary>
    /// Data can reach the datastore without calicoctl: each refused setting this node would have to act on is logged
    /// once (when it appears), counted and shown on /readiness; everything else keeps being enforced.
    /// </summary>
    private void TrackUnsupported(string key, Resource? value)
    {
        List<SupportFinding> refused = value is null || !AppliesHere(value) ? [] : RefusedIn(value);
        _unsupported.TryGetValue(key, out IReadOnlyList<SupportFinding>? before);
        before ??= [];
        if (before.SequenceEqual(refused))
        {
            return;
        }

        foreach (SupportFinding finding in refused)
        {
            if (!before.Contains(finding))
            {
                Log.UnsupportedSetting(_logger, finding.Kind, finding.Name, finding.Field, finding.Value, finding.Entry.Reason);
            }
        }

        if (refused.Count == 0)
        {
            _unsupported.Remove(key);
        }
        else
        {
            _unsupported[key] = refused;
        }

        _unsupportedChanged = true;
    }

    private static List<SupportFinding> RefusedIn(Resource value)
    {
        var refused = new List<SupportFinding>();
        foreach (SupportFinding finding in SupportMatrix.Check(value))
        {
            if (finding.Status == SupportStatus.Refused)
            {
                refused.Add(finding);
            }
        }

        return refused;
    }

    /// <summary>Another node's endpoints and per-node configuration are that node's to report.</summary>
    private bool AppliesHere(Resource value) => value switch
    {
        WorkloadEndpoint wep => string.IsNullOrEmpty(wep.Spec.Node) || wep.Spec.Node == _nodeName,
        HostEndpoint hep => string.IsNullOrEmpty(hep.Spec.Node) || hep.Spec.Node == _nodeName,
        FelixConfiguration fc => fc.Metadata.Name is not { } n || !n.StartsWith("node.", StringComparison.Ordinal) || n == "node." + _nodeName,
        _ => true,
    };

    private List<SupportFinding> AllUnsupported()
    {
        var all = new List<SupportFinding>();
        foreach (IReadOnlyList<SupportFinding> findings in _unsupported.Values)
        {
            all.AddRange(findings);
        }

        all.Sort(static (a, b) => string.CompareOrdinal(a.Summary, b.Summary));
        return all;
    }

    /// <summary>"not enforced: …" for settings that make the node not ready, "degraded: …" for the others; null when none.</summary>
    private (string? Blocking, string? Degraded) UnsupportedReasons()
    {
        var blocking = new List<string>();
        var degraded = new List<string>();
        foreach (SupportFinding finding in AllUnsupported())
        {
            (finding.Entry.BlocksReadiness ? blocking : degraded).Add(finding.Summary);
        }

        return (blocking.Count > 0 ? "not enforced: " + string.Join("; ", blocking) : null,
            degraded.Count > 0 ? "degraded, not enforced: " + string.Join("; ", degraded) : null);
    }

    private void RecomputePools()
    {
        var all = new List<string>();
        var masq = new List<string>();
        foreach (IPPool pool in _inputs.Pools)
        {
            if (string.IsNullOrEmpty(pool.Spec.Cidr))
            {
                continue;
            }

            all.Add(pool.Spec.Cidr);
            if (pool.Spec.NatOutgoing == true)
            {
                masq.Add(pool.Spec.Cidr);
            }
        }

        all.Sort(StringComparer.Ordinal);
        masq.Sort(StringComparer.Ordinal);
        if (!all.SequenceEqual(_allPools) || !masq.SequenceEqual(_masqPools))
        {
            _allPools = all;
            _masqPools = masq;
            _dirty = true;
        }
    }

    private DesiredDataplane Desired() => new(_state, _allPools, _masqPools, _renderConfig);

    private async Task ApplyAsync(CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            await _driver.ApplyAsync(Desired(), cancellationToken).ConfigureAwait(false);
            _dirty = false;
            AppliedCount++;
            TimeSpan took = Stopwatch.GetElapsedTime(started);
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

    private async Task ApplyRoutingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _routing!.ApplyAsync(_routingInputs.Snapshot(), cancellationToken).ConfigureAwait(false);
            _routingDirty = false;
            if (_routingError is not null)
            {
                _routingError = null;
                UpdateReadiness();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            _routingDirty = true;
            _telemetry.DataplaneFailed(e.Message);
            if (_routingError != e.Message)
            {
                // Logged once per distinct problem: a kernel without ipip fails the same way every retry.
                Log.RoutingFailed(_logger, e.Message);
                _routingError = e.Message;
                UpdateReadiness();
            }
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
            _telemetry.SetReadiness(false, Join(_dataplaneError ?? ("routing: " + _routingError), UnsupportedReasons()));
        }
        else if (FailedClosedReason() is { } corrupt)
        {
            _telemetry.SetReadiness(false, Join(corrupt, UnsupportedReasons()));
        }
        else
        {
            var (blocking, degraded) = UnsupportedReasons();
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

    /// <summary>
    /// Waits for a message, the kernel read-back in flight, or <paramref name="wait"/>; true when messages are queued.
    /// </summary>
    private async Task<bool> WaitForWorkAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        try
        {
            if (_kernelReading is { IsCompleted: false } reading)
            {
                Task<bool> message = _inbox.Reader.WaitToReadAsync(timeout.Token).AsTask();
                await Task.WhenAny(message, reading).ConfigureAwait(false);
                await timeout.CancelAsync().ConfigureAwait(false); // releases the channel wait if the reading won
                return _inbox.Reader.TryPeek(out _);
            }

            return await _inbox.Reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return _inbox.Reader.TryPeek(out _);
        }
    }

    /// <summary>
    /// Refresh, first half: routing is checked at once (cheap dumps); the nftables table is read back in the
    /// background, and compared by <see cref="FinishRefreshAsync"/> on this loop once read, so changes keep being
    /// applied meanwhile.
    /// </summary>
    private async Task StartRefreshAsync(CancellationToken cancellationToken)
    {
        _nextRefresh = DateTime.UtcNow + _refreshInterval;
        if (_routing is not null)
        {
            try
            {
                string? repairedRouting = await _routing.RefreshAsync(_routingInputs.Snapshot(), cancellationToken).ConfigureAwait(false);
                if (repairedRouting is not null)
                {
                    Log.DriftRepaired(_logger, repairedRouting);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                _routingDirty = true;
                Log.RoutingFailed(_logger, "refresh: " + e.Message);
            }
        }

        // After too many stale readings (a cluster changing faster than the table can be read) the next check reads
        // on the loop, so drift is still found.
        _kernelReading = _staleReadings >= MaxStaleReadings
            ? Task.FromResult<KernelReading?>(null)
            : ReadKernelOrNullAsync(cancellationToken);
    }

    private async Task<KernelReading?> ReadKernelOrNullAsync(CancellationToken cancellationToken) =>
        await _driver.ReadKernelAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Refresh, second half: compares the read-back with what was applied and repairs the difference.</summary>
    private async Task FinishRefreshAsync(CancellationToken cancellationToken)
    {
        Task<KernelReading?> pending = _kernelReading!;
        _kernelReading = null;
        try
        {
            KernelReading? reading = await pending.ConfigureAwait(false);
            DriftResult result = await _driver.RepairDriftAsync(Desired(), reading, cancellationToken).ConfigureAwait(false);
            if (result.Stale)
            {
                _staleReadings++;
                _nextRefresh = DateTime.UtcNow + StaleReadingRetry;
                return;
            }

            _staleReadings = 0;
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

        [LoggerMessage(7, LogLevel.Error, "Routing update failed (BGP/VXLAN), retrying: {Reason}")]
        public static partial void RoutingFailed(ILogger logger, string reason);

        [LoggerMessage(8, LogLevel.Warning, "Not enforced: {Kind} \"{Name}\" sets {Field} = '{Value}', which this implementation does not support ({Reason}); everything else stays enforced")]
        public static partial void UnsupportedSetting(ILogger logger, string kind, string name, string field, string value, string reason);

        [LoggerMessage(6, LogLevel.Information, "Felix configuration changed; re-rendering the dataplane")]
        public static partial void ConfigChanged(ILogger logger);
    }
}
