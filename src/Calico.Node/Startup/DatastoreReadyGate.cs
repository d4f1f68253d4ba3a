using Calico.Api;
using Calico.Client;
using Calico.Datastore;
using Calico.Datastore.Syncer;
using Microsoft.Extensions.Logging;

namespace Calico.Node.Startup;

/// <summary>
/// The datastore lock of <c>calicoctl datastore migrate lock</c> as calico-node obeys it: while ClusterInformation
/// <c>default</c> says <c>datastoreReady: false</c>, calico-node changes nothing in the datastore (Node registration,
/// tunnel addresses, CalicoNodeStatus reports wait or skip), says so once per locked period and per writer, and
/// carries on by itself when it is unlocked, without a restart. The dataplane keeps enforcing what it had (upstream's
/// Felix waits for <c>datastoreReady</c> at start and restarts on a lock; here only the writes pause).
/// State comes from the syncer (the ClusterInformation prefix is watched beside the rest) and, while a writer waits,
/// from a read every second (at start-up, before the syncer runs). No ClusterInformation means not locked, as
/// <see cref="DatastoreLock.IsLockedAsync"/> reads it.
/// </summary>
internal sealed partial class DatastoreReadyGate(ResourceClient client, TimeProvider time, ILogger logger) : ISyncerCallbacks
{
    private static readonly string s_key = ResourceIdentity.Key(ResourceKinds.ClusterInformation, null, "default");
    private readonly object _sync = new();
    private readonly HashSet<string> _announced = new(StringComparer.Ordinal);
    private TaskCompletionSource _unlocked = NewCompleted();
    private bool _locked;
    private bool _known;

    /// <summary>The prefix the syncer must watch for this gate.</summary>
    public static string WatchedPrefix { get; } = ResourceIdentity.Prefix(ResourceKinds.ClusterInformation, null);

    public static TimeSpan PollInterval { get; } = TimeSpan.FromSeconds(1);

    public bool IsLocked
    {
        get
        {
            lock (_sync)
            {
                return _locked;
            }
        }
    }

    public void OnStatusUpdated(SyncStatus status)
    {
    }

    public void OnUpdates(IReadOnlyList<SyncUpdate> updates)
    {
        ArgumentNullException.ThrowIfNull(updates);
        foreach (SyncUpdate update in updates)
        {
            if (update.Key != s_key)
            {
                continue;
            }

            try
            {
                Set(update.Value is not null && ResourceClient.DecodeStored(ResourceKinds.ClusterInformation, new KeyValue(update.Key, update.Value, update.Revision))
                    is ClusterInformation { Spec.DatastoreReady: false });
            }
            catch (CorruptResourceException e)
            {
                Log.Unreadable(logger, e.Message); // keeps the last known state
            }
        }
    }

    /// <summary>Reads the lock now (the syncer may not run yet).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken) =>
        Set(await DatastoreLock.IsLockedAsync(client, cancellationToken).ConfigureAwait(false));

    /// <summary>Returns at once when unlocked; otherwise says once that <paramref name="what"/> waits, and waits.</summary>
    public async Task WaitUntilUnlockedAsync(string what, CancellationToken cancellationToken)
    {
        bool known;
        lock (_sync)
        {
            known = _known;
        }

        if (!known)
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }

        while (true)
        {
            Task unlocked;
            lock (_sync)
            {
                if (!_locked)
                {
                    return;
                }

                unlocked = _unlocked.Task;
            }

            Announce(what);
            await Task.WhenAny(unlocked, Task.Delay(PollInterval, time, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (!unlocked.IsCompleted)
            {
                try
                {
                    await RefreshAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (DatastoreUnavailableException)
                {
                    // Still locked as far as we know; the next poll or the syncer tells.
                }
            }
        }
    }

    /// <summary>For writers that run again anyway (the routing loop re-applies on unlock): true, said once, while locked.</summary>
    public bool SkipWhileLocked(string what)
    {
        if (!IsLocked)
        {
            return false;
        }

        Announce(what);
        return true;
    }

    private void Announce(string what)
    {
        bool first;
        lock (_sync)
        {
            first = _locked && _announced.Add(what);
        }

        if (first)
        {
            Log.Paused(logger, what);
        }
    }

    private void Set(bool locked)
    {
        bool resumed = false;
        lock (_sync)
        {
            _known = true;
            if (locked == _locked)
            {
                return;
            }

            _locked = locked;
            if (locked)
            {
                _unlocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            else
            {
                resumed = _announced.Count > 0;
                _announced.Clear();
                _unlocked.TrySetResult();
            }
        }

        if (locked)
        {
            Log.Locked(logger);
        }
        else if (resumed)
        {
            Log.Unlocked(logger);
        }
    }

    private static TaskCompletionSource NewCompleted()
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tcs.SetResult();
        return tcs;
    }

    private static partial class Log
    {
        [LoggerMessage(170, LogLevel.Warning, "Datastore is locked (ClusterInformation default has datastoreReady false: `calicoctl datastore migrate lock`, a migration is in progress): calico-node writes nothing to it until it is unlocked; the dataplane keeps its current state")]
        public static partial void Locked(ILogger logger);

        [LoggerMessage(171, LogLevel.Warning, "Datastore is locked (datastoreReady false): {What} waits for `calicoctl datastore migrate unlock`")]
        public static partial void Paused(ILogger logger, string what);

        [LoggerMessage(172, LogLevel.Information, "Datastore unlocked (datastoreReady true): paused writes resume")]
        public static partial void Unlocked(ILogger logger);

        [LoggerMessage(173, LogLevel.Warning, "ClusterInformation cannot be decoded, keeping the last known lock state: {Reason}")]
        public static partial void Unreadable(ILogger logger, string reason);
    }
}
