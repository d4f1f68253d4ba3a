using System.Globalization;
using System.Threading.Channels;
using Calico.Api;
using Calico.Client;
using Microsoft.Extensions.Logging;

namespace Calico.Node.NodeStatuses;

/// <summary>
/// Fills <c>status</c> of every CalicoNodeStatus whose <c>spec.node</c> is this node, as upstream's node status
/// reporter (node/pkg/status: nodestatus.go, reporter.go): a new resource, or a changed spec, is reported at once,
/// then every <c>updatePeriodSeconds</c> (0: never again); each report reads BIRD once for every resource due, fills
/// the classes asked (others stay empty) and writes only when the data differs from the last status written or read
/// (upstream's DeepEqual, with <c>lastUpdated</c> set on each write). A status-only change (its own writes coming
/// back) never starts a report, so there is no feedback loop. Requests come from the routing loop's snapshots
/// (<see cref="Update"/>, this node's resources once the syncer is in sync); timers run on the injected clock.
/// </summary>
internal sealed partial class NodeStatusReporter(IBirdStatusSource bird, INodeStatusWriter writer, TimeProvider time, ILogger logger)
{
    /// <summary>When a write with updatePeriodSeconds 0 failed: tried again after this long.</summary>
    internal static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(10);

    private readonly Channel<IReadOnlyList<CalicoNodeStatus>> _updates = Channel.CreateUnbounded<IReadOnlyList<CalicoNodeStatus>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, Request> _requests = new(StringComparer.Ordinal);
    private int _writes;

    /// <summary>Status writes done since start (for tests).</summary>
    internal int WriteCount => Volatile.Read(ref _writes);

    /// <summary>The reporter calico-node runs: BIRD at <paramref name="birdSocket"/> (null: no BIRD), writes through <paramref name="client"/>.</summary>
    public static NodeStatusReporter Create(ResourceClient client, string? birdSocket, ILogger logger, Startup.DatastoreReadyGate? gate = null) =>
        new(new BirdSocketStatusSource(birdSocket), new ClientNodeStatusWriter(client) { Gate = gate }, TimeProvider.System, logger);

    /// <summary>This node's CalicoNodeStatus resources, all of them (a missing one was deleted). Any thread.</summary>
    public void Update(IReadOnlyList<CalicoNodeStatus> statuses) => _updates.Writer.TryWrite(statuses);

    /// <summary>Runs until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await WaitAsync(NextWait(), cancellationToken).ConfigureAwait(false);
            IReadOnlyList<CalicoNodeStatus>? latest = null;
            while (_updates.Reader.TryRead(out IReadOnlyList<CalicoNodeStatus>? statuses))
            {
                latest = statuses;
            }

            try
            {
                if (latest is not null)
                {
                    Reconcile(latest);
                }

                await ReportDueAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Reports are best effort beside routing: an unexpected failure is logged and the loop goes on.
                Log.ReportFailed(logger, e.Message);
                await Task.Delay(RetryDelay, time, cancellationToken).ConfigureAwait(false); // never a hot loop of failures
            }
        }
    }

    private void Reconcile(IReadOnlyList<CalicoNodeStatus> statuses)
    {
        DateTimeOffset now = time.GetUtcNow();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (CalicoNodeStatus status in statuses)
        {
            string? name = status.Metadata.Name;
            if (name is null || status.Spec.UpdatePeriodSeconds is null)
            {
                continue; // upstream skips a request without a period (validation requires one)
            }

            seen.Add(name);
            if (_requests.TryGetValue(name, out Request? known) && NodeStatusSpecs.Same(known.Spec, status.Spec))
            {
                continue; // the same request (our own status write, or a routing change elsewhere)
            }

            // New, or a new spec: report now, against the status the resource carries.
            _requests[name] = new Request(NodeStatusSpecs.Copy(status.Spec)) { Last = Fingerprint(status.Status), Due = now };
            Log.Tracking(logger, name, status.Spec.UpdatePeriodSeconds.Value, string.Join(",", status.Spec.Classes ?? []));
        }

        foreach (string gone in _requests.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            _requests.Remove(gone);
            Log.Forgotten(logger, gone);
        }
    }

    private async Task ReportDueAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset now = time.GetUtcNow();
        List<KeyValuePair<string, Request>> due = _requests.Where(kv => kv.Value.Due is { } d && d <= now).ToList();
        if (due.Count == 0)
        {
            return;
        }

        bool protocols = due.Any(kv => Asks(kv.Value.Spec, NodeStatusClasses.Bgp));
        bool routes = due.Any(kv => Asks(kv.Value.Spec, NodeStatusClasses.Routes));
        BirdSnapshot snapshot = await bird.ReadAsync(protocols, routes, cancellationToken).ConfigureAwait(false);
        foreach ((string name, Request request) in due)
        {
            uint period = request.Spec.UpdatePeriodSeconds ?? 0;
            request.Due = period > 0 ? now + TimeSpan.FromSeconds(period) : null;
            CalicoNodeStatusStatus status = NodeStatusPopulator.Build(request.Spec.Classes ?? [], snapshot);
            string fingerprint = Fingerprint(status);
            if (fingerprint == request.Last)
            {
                continue; // nothing changed since the last status: no write
            }

            status.LastUpdated = time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            try
            {
                if (await writer.WriteStatusAsync(name, request.Spec, status, cancellationToken).ConfigureAwait(false))
                {
                    request.Last = fingerprint;
                    Interlocked.Increment(ref _writes);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                // Tried again at the next period (upstream's behaviour); with period 0, after a short delay.
                Log.WriteFailed(logger, name, e.Message);
                request.Due ??= now + RetryDelay;
            }
        }
    }

    private TimeSpan NextWait()
    {
        DateTimeOffset? next = null;
        foreach (Request request in _requests.Values)
        {
            if (request.Due is { } d && (next is null || d < next))
            {
                next = d;
            }
        }

        if (next is null)
        {
            return Timeout.InfiniteTimeSpan;
        }

        TimeSpan until = next.Value - time.GetUtcNow();
        return until < TimeSpan.Zero ? TimeSpan.Zero : until;
    }

    private async Task WaitAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        // A pending update ends any wait: WaitToReadAsync returns at once when one is queued.
        if (wait == TimeSpan.Zero)
        {
            return;
        }

        if (wait == Timeout.InfiniteTimeSpan)
        {
            await _updates.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        using var timer = new CancellationTokenSource(wait, time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await _updates.Reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static bool Asks(CalicoNodeStatusSpec spec, string kind) => spec.Classes?.Contains(kind, StringComparer.Ordinal) == true;

    /// <summary>The status's data (everything but <c>lastUpdated</c>) as JSON, for "did anything change".</summary>
    private static string Fingerprint(CalicoNodeStatusStatus status) =>
        ResourceCodec.ToJson(new CalicoNodeStatus
        {
            Metadata = new ObjectMeta { Name = "status" },
            Status = new CalicoNodeStatusStatus { Agent = status.Agent, Bgp = status.Bgp, Routes = status.Routes },
        });

    private sealed class Request(CalicoNodeStatusSpec spec)
    {
        public CalicoNodeStatusSpec Spec { get; } = spec;

        public string Last { get; set; } = "";

        public DateTimeOffset? Due { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(70, LogLevel.Information, "CalicoNodeStatus {Name}: reporting every {Seconds} s (0: once), classes {Classes}")]
        public static partial void Tracking(ILogger logger, string name, uint seconds, string classes);

        [LoggerMessage(71, LogLevel.Information, "CalicoNodeStatus {Name}: no longer reported (deleted or moved to another node)")]
        public static partial void Forgotten(ILogger logger, string name);

        [LoggerMessage(72, LogLevel.Warning, "CalicoNodeStatus {Name}: status not written, retrying later: {Reason}")]
        public static partial void WriteFailed(ILogger logger, string name, string reason);

        [LoggerMessage(73, LogLevel.Error, "CalicoNodeStatus report failed, trying again in 10 s: {Reason}")]
        public static partial void ReportFailed(ILogger logger, string reason);
    }
}
