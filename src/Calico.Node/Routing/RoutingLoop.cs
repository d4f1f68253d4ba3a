using System.Diagnostics;
using System.Threading.Channels;
using Calico.Api;
using Calico.Client;
using Calico.Datastore;
using Calico.Datastore.Syncer;
using Calico.Felix.Agent;
using Microsoft.Extensions.Logging;

namespace Calico.Node.Routing;

/// <summary>
/// calico-node's routing loop, beside Felix's (upstream runs these as confd and the tunnel address allocator, outside
/// Felix): fed from the same syncer, it keeps <see cref="RoutingInputs"/> and programs routing (tunnel address in
/// the datastore, BIRD's configuration, VXLAN) through an <see cref="IRoutingDriver"/>. Routing writes to the
/// datastore, which may be slow or unreachable: in a loop of its own that never delays a policy change.
/// Nothing is programmed until the syncer is in sync. A failed apply is retried; each failure, and the recovery, is
/// reported through <c>report</c> (Felix's agent turns it into readiness and the failure metric). The periodic
/// check (BIRD alive, VXLAN entries intact) runs on its own timer. Timers run on the injected clock.
/// An apply starts as soon as the loop is idle and an update changed what routing is computed from (no debounce);
/// updates arriving during an apply are handled together by the next one, and updates that change nothing (policy
/// kinds, a pending block affinity, this node's own status writes) start none. <see cref="Trace"/> is told each apply's
/// cause (<see cref="RoutingApplyCause"/>).
/// </summary>
internal sealed partial class RoutingLoop : ISyncerCallbacks
{
    private readonly Channel<RoutingMessage> _messages = Channel.CreateUnbounded<RoutingMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly RoutingInputs _inputs;
    private readonly CorruptValueFilter _filter = new();
    private readonly IRoutingDriver _driver;
    private readonly Action<string?> _report;
    private readonly TimeSpan _refreshInterval;
    private readonly TimeSpan _retryDelay;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private bool _inSync;
    private bool _dirty;
    private string? _error;
    private DateTimeOffset _nextRefresh;
    private RoutingApplyCause? _cause;
    private long _firstReceived;

    public RoutingLoop(string nodeName, IRoutingDriver driver, Action<string?> report, TimeSpan refreshInterval, TimeSpan retryDelay, TimeProvider time, ILogger logger)
    {
        _inputs = new RoutingInputs(nodeName);
        _driver = driver;
        _report = report;
        _refreshInterval = refreshInterval;
        _retryDelay = retryDelay;
        _time = time;
        _logger = logger;
    }

    /// <summary>What routing reads: nodes, BGP configuration, peers and filters, pools, this node's CalicoNodeStatus and
    /// workload endpoints, and every node's block affinities.</summary>
    public static IReadOnlyList<string> WatchedPrefixes { get; } =
    [
        ResourceIdentity.Prefix(ResourceKinds.IPPool, null),
        ResourceIdentity.Prefix(ResourceKinds.Node, null),
        ResourceIdentity.Prefix(ResourceKinds.BGPConfiguration, null),
        ResourceIdentity.Prefix(ResourceKinds.BGPPeer, null),
        ResourceIdentity.Prefix(ResourceKinds.BGPFilter, null),
        ResourceIdentity.Prefix(ResourceKinds.CalicoNodeStatus, null),
        ResourceIdentity.Prefix(ResourceKinds.WorkloadEndpoint, null),
        RoutingInputs.AffinityPrefix,
    ];

    /// <summary>Sees each snapshot before it is applied (calico-node's CalicoNodeStatus reporter reads its requests from it).</summary>
    public Action<RoutingState>? StateObserver { get; init; }

    /// <summary>Marks when updates arrive and each apply starts (the steps after are marked by the driver).</summary>
    public RoutingApplyTrace? Trace { get; init; }

    /// <summary>Routing applies completed since start (for tests).</summary>
    internal int AppliedCount { get; private set; }

    public void OnStatusUpdated(SyncStatus status) => _messages.Writer.TryWrite(new RoutingMessage(null, status));

    public void OnUpdates(IReadOnlyList<SyncUpdate> updates) => _messages.Writer.TryWrite(new RoutingMessage(updates, default, Stopwatch.GetTimestamp()));

    /// <summary>Runs until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _nextRefresh = _time.GetUtcNow() + _refreshInterval;
        while (!cancellationToken.IsCancellationRequested)
        {
            await WaitAsync(NextWait(), cancellationToken).ConfigureAwait(false);
            Drain();
            if (_inSync && (_inputs.TakeChanged() || _dirty))
            {
                await ApplyAsync(cancellationToken).ConfigureAwait(false);
            }
            else if (_inSync && _refreshInterval > TimeSpan.Zero && _time.GetUtcNow() >= _nextRefresh)
            {
                await RefreshAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private TimeSpan NextWait()
    {
        if (_inSync && (_dirty || _inputs.Changed))
        {
            return _dirty ? _retryDelay : TimeSpan.Zero;
        }

        if (!_inSync || _refreshInterval <= TimeSpan.Zero)
        {
            return TimeSpan.FromSeconds(10);
        }

        TimeSpan until = _nextRefresh - _time.GetUtcNow();
        return until < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : until;
    }

    private async Task WaitAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        if (wait <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new CancellationTokenSource(wait, _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await _messages.Reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void Drain()
    {
        while (_messages.Reader.TryRead(out RoutingMessage message))
        {
            if (message.Updates is { } updates)
            {
                long dequeued = Stopwatch.GetTimestamp();
                if (_firstReceived == 0)
                {
                    _firstReceived = message.ReceivedAt;
                }

                foreach (SyncUpdate update in updates)
                {
                    bool changedBefore = _inputs.Changed;
                    bool dirtyBefore = _dirty;
                    OnUpdate(update);
                    if (_cause is null && ((!changedBefore && _inputs.Changed) || (!dirtyBefore && _dirty)))
                    {
                        _cause = new RoutingApplyCause(update.Key, message.ReceivedAt, dequeued, _firstReceived);
                    }
                }
            }
            else if (message.Status == SyncStatus.InSync)
            {
                _inSync = true;
            }
        }
    }

    private void OnUpdate(SyncUpdate update)
    {
        if (!ResourceClient.TryParseKey(update.Key, out ResourceKind? kind, out string? ns, out string name))
        {
            _inputs.TryOnAffinity(update.Key, update.Value);
            return;
        }

        if (kind == ResourceKinds.ClusterInformation)
        {
            _dirty = true; // locked or unlocked (a migration): apply again, so writes skipped while locked happen now
            return;
        }

        if (kind != ResourceKinds.Node && kind != ResourceKinds.IPPool && kind != ResourceKinds.BGPConfiguration && kind != ResourceKinds.BGPPeer
            && kind != ResourceKinds.BGPFilter && kind != ResourceKinds.CalicoNodeStatus && kind != ResourceKinds.WorkloadEndpoint)
        {
            return; // policy-side kinds, decoded (and their bad values reported) by Felix's agent
        }

        // The same rule as the agent's: an unreadable value keeps its last good version, never becomes a deletion.
        if (_filter.Filter(kind, ns, name, update.Key, update.Value, update.Revision, out Resource? value, out _))
        {
            _inputs.OnResource(kind, name, value, ns);
        }
    }

    private async Task ApplyAsync(CancellationToken cancellationToken)
    {
        try
        {
            Trace?.Begin(_cause ?? RoutingApplyCause.Without(AppliedCount == 0 && _error is null ? "start" : "retry", _firstReceived));
            _cause = null;
            _firstReceived = 0;
            RoutingState state = _inputs.Snapshot();
            StateObserver?.Invoke(state);
            await _driver.ApplyAsync(state, cancellationToken).ConfigureAwait(false);
            _dirty = false;
            AppliedCount++;
            if (_error is not null)
            {
                _error = null;
                _report(null);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            _dirty = true;
            if (_error != e.Message)
            {
                // Logged once per distinct problem: a kernel without ipip fails the same way every retry.
                Log.RoutingFailed(_logger, e.Message);
                _error = e.Message;
            }

            _report(e.Message);
        }
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        _nextRefresh = _time.GetUtcNow() + _refreshInterval;
        try
        {
            string? repaired = await _driver.RefreshAsync(_inputs.Snapshot(), cancellationToken).ConfigureAwait(false);
            if (repaired is not null)
            {
                Log.DriftRepaired(_logger, repaired);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            _dirty = true;
            Log.RoutingFailed(_logger, "refresh: " + e.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(5, LogLevel.Warning, "Dataplane drift repaired: {What}")]
        public static partial void DriftRepaired(ILogger logger, string what);

        [LoggerMessage(7, LogLevel.Error, "Routing update failed (BGP/VXLAN), retrying: {Reason}")]
        public static partial void RoutingFailed(ILogger logger, string reason);
    }
}
