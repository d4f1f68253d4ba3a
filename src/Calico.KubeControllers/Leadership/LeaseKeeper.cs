using System.Text.Json;
using Calico.Datastore;
using Microsoft.Extensions.Logging;

namespace Calico.KubeControllers.Leadership;

/// <summary>
/// One active instance among several: a lease record in the datastore (<see cref="Key"/>), the same on etcd and on the
/// embedded store (no store TTL is needed). The holder renews it every third of the lease duration with a
/// compare-and-swap on the revision it last wrote. A standby takes it over, by compare-and-swap on the revision it saw,
/// once that revision has stayed unchanged for a whole lease duration by the standby's own clock, so no two clocks
/// are ever compared. The holder stops acting when a renewal is refused, or when it has not managed to renew for
/// the lease duration less one renewal interval (its leadership token cancels itself): it is always inactive before
/// any standby could have seen the record unchanged for a whole duration.
/// </summary>
internal sealed partial class LeaseKeeper(IKeyValueStore store, string identity, TimeSpan duration, TimeProvider time, ILogger logger) : IDisposable
{
    public const string Key = "/calico/kube-controllers/v1/lease";

    private long _heldRevision;
    private long _seenRevision = -1;
    private DateTimeOffset _seenSince;
    private volatile CancellationTokenSource? _leadership;

    public string Identity { get; } = identity;

    public TimeSpan Duration { get; } = duration;

    public TimeSpan RenewInterval => Duration / 3;

    /// <summary>Cancelled when this instance stops being the holder; null while standing by.</summary>
    public CancellationToken? Leadership => _leadership?.Token;

    public bool IsLeader => _leadership is { IsCancellationRequested: false };

    /// <summary>Called (on the keeper's loop) when leadership is gained or lost.</summary>
    public event Action<bool>? LeadershipChanged;

    /// <summary>Runs until cancelled; on the way out, a holder deletes its record so a standby takes over at once.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                // A tick never outlasts half an interval, so a renewal answered is one the store committed recently.
                using (var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    tick.CancelAfter(RenewInterval / 2);
                    try
                    {
                        await TickAsync(tick.Token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                    {
                        // Never fatal: an unexpected failure is one failed renewal, and the deadline still applies.
                        Log.LeaseError(logger, e.Message);
                    }
                }

                await Task.Delay(RenewInterval, time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            await ResignAsync().ConfigureAwait(false);
        }
    }

    /// <summary>After <see cref="RunAsync"/> has returned: nothing reads the leadership token any more.</summary>
    public void Dispose()
    {
        _leadership?.Cancel();
        _leadership?.Dispose();
        _leadership = null;
    }

    /// <summary>One renewal or acquisition attempt (tests drive it directly).</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        if (_leadership is { IsCancellationRequested: true })
        {
            // The deadline passed without a renewal: the token is already cancelled; say so.
            Log.LeaseExpired(logger, Identity, Duration.TotalSeconds);
            StepDown();
        }

        if (IsLeader)
        {
            var renewed = await store.UpdateAsync(Key, Value(started), _heldRevision, cancellationToken).ConfigureAwait(false);
            if (renewed.Succeeded)
            {
                _heldRevision = renewed.Revision;
                _leadership!.CancelAfter(Duration - RenewInterval);
                return;
            }

            Log.LeaseLost(logger, Identity, renewed.Status.ToString());
            StepDown();
            return;
        }

        var current = await store.GetAsync(Key, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            var created = await store.CreateAsync(Key, Value(started), cancellationToken).ConfigureAwait(false);
            if (created.Succeeded)
            {
                Acquire(created.Revision, "none");
            }

            return;
        }

        if (current.Revision != _seenRevision)
        {
            _seenRevision = current.Revision;
            _seenSince = started;
            return;
        }

        if (started - _seenSince < Duration)
        {
            return;
        }

        var taken = await store.UpdateAsync(Key, Value(started), current.Revision, cancellationToken).ConfigureAwait(false);
        if (taken.Succeeded)
        {
            Acquire(taken.Revision, HolderOf(current));
        }
    }

    private void Acquire(long revision, string previous)
    {
        _heldRevision = revision;

        // The leadership ends by itself unless renewed in time: counted from after the write was answered, and the
        // write was at most half an interval earlier, so it ends before any standby can have waited a whole duration.
        _leadership = new CancellationTokenSource(Duration - RenewInterval, time);
        Log.LeaseAcquired(logger, Identity, previous);
        LeadershipChanged?.Invoke(true);
    }

    private void StepDown()
    {
        var leadership = _leadership;
        _leadership = null;
        _seenRevision = -1;
        if (leadership is not null)
        {
            // Cancelled, never disposed: other loops may still be reading its token.
            leadership.Cancel();
            LeadershipChanged?.Invoke(false);
        }
    }

    private async Task ResignAsync()
    {
        if (!IsLeader)
        {
            return;
        }

        long revision = _heldRevision;
        StepDown();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await store.DeleteAsync(Key, revision, timeout.Token).ConfigureAwait(false);
            Log.LeaseReleased(logger, Identity);
        }
        catch (Exception e) when (e is DatastoreUnavailableException or OperationCanceledException or TimeoutException)
        {
            Log.LeaseError(logger, e.Message);
        }
    }

    private byte[] Value(DateTimeOffset now) => JsonSerializer.SerializeToUtf8Bytes(
        new LeaseRecord { HolderIdentity = Identity, LeaseDurationSeconds = Duration.TotalSeconds, RenewTime = now },
        ControllersJsonContext.Default.LeaseRecord);

    private static string HolderOf(KeyValue kv)
    {
        try
        {
            return JsonSerializer.Deserialize(kv.Value, ControllersJsonContext.Default.LeaseRecord)?.HolderIdentity ?? "?";
        }
        catch (JsonException)
        {
            return "(unreadable lease record)";
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Lease acquired by {Identity} (previous holder {Previous}): this instance runs the controllers")]
        public static partial void LeaseAcquired(ILogger logger, string identity, string previous);

        [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Lease lost by {Identity} (renewal refused: {Status}): standing by")]
        public static partial void LeaseLost(ILogger logger, string identity, string status);

        [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Lease of {Identity} not renewed within {Seconds} s (datastore unreachable): standing by")]
        public static partial void LeaseExpired(ILogger logger, string identity, double seconds);

        [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Lease released by {Identity} on shutdown")]
        public static partial void LeaseReleased(ILogger logger, string identity);

        [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Lease renewal failed: {Reason}")]
        public static partial void LeaseError(ILogger logger, string reason);
    }
}
