using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.Datastore.Syncer;

/// <summary>
/// Upstream's list-then-watch syncer (<c>libcalico-go/lib/backend/watchersyncer</c>): per prefix, list at one
/// revision, emit what changed, watch from that revision; when the watch is lost or compacted, list again and
/// emit deletes for keys that vanished meanwhile. The aggregate status is <see cref="SyncStatus.InSync"/> only
/// once every prefix has been listed and its updates delivered. One consolidation loop batches updates and
/// delivers every callback, so callbacks never run concurrently.
/// </summary>
public sealed partial class WatcherSyncer : IAsyncDisposable
{
    private readonly IKeyValueStore _store;
    private readonly string[] _prefixes;
    private readonly ISyncerCallbacks _callbacks;
    private readonly WatcherSyncerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Channel<Message> _messages = Channel.CreateUnbounded<Message>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private Task? _running;

    public WatcherSyncer(
        IKeyValueStore store,
        IEnumerable<string> prefixes,
        ISyncerCallbacks callbacks,
        WatcherSyncerOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger<WatcherSyncer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(prefixes);
        ArgumentNullException.ThrowIfNull(callbacks);
        _store = store;
        _prefixes = prefixes.ToArray();
        if (_prefixes.Length == 0)
        {
            throw new ArgumentException("at least one prefix is required", nameof(prefixes));
        }

        _callbacks = callbacks;
        _options = options ?? new WatcherSyncerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxBatchSize, 1, nameof(options));
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Runs the syncer in the background until <see cref="DisposeAsync"/>.</summary>
    public void Start()
    {
        if (_running is not null)
        {
            throw new InvalidOperationException("the syncer is already started");
        }

        _running = RunAsync(_stop.Token);
    }

    /// <summary>Runs until cancelled; faults only if a callback throws.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        CancellationToken token = linked.Token;
        Task consolidation = ConsolidateAsync(token);
        Task[] caches = new Task[_prefixes.Length];
        for (int i = 0; i < _prefixes.Length; i++)
        {
            caches[i] = RunCacheAsync(i, _prefixes[i], token);
        }

        try
        {
            // The consolidation loop ends only by cancellation or a throwing callback; either way stop the caches.
            await consolidation;
        }
        finally
        {
            await linked.CancelAsync();
            await Task.WhenAll(caches).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null)
        {
            try
            {
                await _running;
            }
            catch (OperationCanceledException)
            {
                // Stopping is what we asked for.
            }
        }

        _stop.Dispose();
    }

    private async Task ConsolidateAsync(CancellationToken cancellationToken)
    {
        var statuses = new SyncStatus[_prefixes.Length];
        SyncStatus reported = SyncStatus.WaitForDatastore;
        _callbacks.OnStatusUpdated(reported);
        var pending = new List<SyncUpdate>();
        ChannelReader<Message> reader = _messages.Reader;
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            while (reader.TryRead(out Message? message))
            {
                if (message.Updates is not null)
                {
                    pending.AddRange(message.Updates);
                    if (pending.Count >= _options.MaxBatchSize)
                    {
                        Flush(pending);
                    }

                    continue;
                }

                statuses[message.Cache] = message.Status;
                SyncStatus aggregate = Aggregate(statuses);
                if (aggregate > reported)
                {
                    Flush(pending);
                    reported = aggregate;
                    Log.StatusChanged(_logger, aggregate);
                    _callbacks.OnStatusUpdated(aggregate);
                }
            }

            Flush(pending);
        }
    }

    private void Flush(List<SyncUpdate> pending)
    {
        for (int offset = 0; offset < pending.Count; offset += _options.MaxBatchSize)
        {
            int count = Math.Min(_options.MaxBatchSize, pending.Count - offset);
            _callbacks.OnUpdates(pending.GetRange(offset, count));
        }

        pending.Clear();
    }

    private static SyncStatus Aggregate(SyncStatus[] statuses)
    {
        bool allWaiting = true;
        bool allInSync = true;
        foreach (SyncStatus status in statuses)
        {
            allWaiting &= status == SyncStatus.WaitForDatastore;
            allInSync &= status == SyncStatus.InSync;
        }

        return allInSync ? SyncStatus.InSync : allWaiting ? SyncStatus.WaitForDatastore : SyncStatus.ResyncInProgress;
    }

    private async Task RunCacheAsync(int index, string prefix, CancellationToken cancellationToken)
    {
        // key -> mod revision of what we last emitted: lets a re-list emit only real changes and infer deletes.
        var known = new Dictionary<string, long>(StringComparer.Ordinal);
        bool listed = false;
        TimeSpan delay = _options.MinRetryDelay;
        try
        {
            while (true)
            {
                ListResult list;
                try
                {
                    list = await _store.ListAsync(prefix, cancellationToken);
                }
                catch (DatastoreUnavailableException ex)
                {
                    Log.ListFailed(_logger, prefix, delay, ex);
                    await Task.Delay(delay, _timeProvider, cancellationToken);
                    delay = NextDelay(delay);
                    continue;
                }

                // A list that succeeded ends the back-off (upstream's watchercache: the next resync waits only its
                // 500 ms minimum), so a watch lost soon after a long outage does not wait the whole maximum again.
                delay = _options.MinRetryDelay;
                if (!listed)
                {
                    Post(new Message(index, SyncStatus.ResyncInProgress, null));
                }

                Post(new Message(index, SyncStatus.ResyncInProgress, Resync(known, list)));
                if (!listed)
                {
                    listed = true;
                    Post(new Message(index, SyncStatus.InSync, null));
                }

                try
                {
                    await foreach (WatchEvent e in _store.WatchAsync(prefix, list.Revision, cancellationToken))
                    {
                        SyncUpdate? update = Apply(known, e);
                        if (update is not null)
                        {
                            Post(new Message(index, SyncStatus.InSync, [update]));
                        }
                    }

                    Log.WatchEnded(_logger, prefix);
                    delay = _options.MinRetryDelay;
                }
                catch (WatchCompactedException ex)
                {
                    Log.WatchLost(_logger, prefix, ex);
                    delay = _options.MinRetryDelay;
                }
                catch (DatastoreUnavailableException ex)
                {
                    Log.WatchLost(_logger, prefix, ex);
                }

                // Upstream's minimum resync interval: a flapping store does not turn into a list storm.
                await Task.Delay(delay, _timeProvider, cancellationToken);
                delay = NextDelay(delay);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    private void Post(Message message)
    {
        if (message.Updates is { Count: 0 })
        {
            return;
        }

        // Unbounded: TryWrite fails only after completion, which never happens.
        _messages.Writer.TryWrite(message);
    }

    private TimeSpan NextDelay(TimeSpan delay)
    {
        TimeSpan doubled = delay * 2;
        return doubled > _options.MaxRetryDelay ? _options.MaxRetryDelay : doubled;
    }

    private static List<SyncUpdate> Resync(Dictionary<string, long> known, ListResult list)
    {
        var updates = new List<SyncUpdate>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (KeyValue item in list.Items)
        {
            seen.Add(item.Key);
            if (known.TryGetValue(item.Key, out long revision))
            {
                if (revision != item.Revision)
                {
                    known[item.Key] = item.Revision;
                    updates.Add(new SyncUpdate(SyncUpdateType.Updated, item.Key, item.Value, item.Revision));
                }
            }
            else
            {
                known[item.Key] = item.Revision;
                updates.Add(new SyncUpdate(SyncUpdateType.New, item.Key, item.Value, item.Revision));
            }
        }

        // Keys that disappeared while we were not watching: the store will never send their deletes.
        List<string>? vanished = null;
        foreach (string key in known.Keys)
        {
            if (!seen.Contains(key))
            {
                (vanished ??= []).Add(key);
            }
        }

        if (vanished is not null)
        {
            vanished.Sort(StringComparer.Ordinal);
            foreach (string key in vanished)
            {
                known.Remove(key);
                updates.Add(new SyncUpdate(SyncUpdateType.Deleted, key, null, list.Revision));
            }
        }

        return updates;
    }

    private static SyncUpdate? Apply(Dictionary<string, long> known, WatchEvent e)
    {
        if (e.Type == WatchEventType.Delete)
        {
            return known.Remove(e.Key) ? new SyncUpdate(SyncUpdateType.Deleted, e.Key, null, e.Revision) : null;
        }

        if (known.TryGetValue(e.Key, out long revision))
        {
            if (revision >= e.Revision)
            {
                return null;
            }

            known[e.Key] = e.Revision;
            return new SyncUpdate(SyncUpdateType.Updated, e.Key, e.Value, e.Revision);
        }

        known[e.Key] = e.Revision;
        return new SyncUpdate(SyncUpdateType.New, e.Key, e.Value, e.Revision);
    }

    /// <summary>From a cache to the consolidation loop: either updates, or a status for that cache.</summary>
    private sealed record Message(int Cache, SyncStatus Status, List<SyncUpdate>? Updates);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "syncer status {Status}")]
        public static partial void StatusChanged(ILogger logger, SyncStatus status);

        [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "syncer list of {Prefix} failed; retrying in {Delay}")]
        public static partial void ListFailed(ILogger logger, string prefix, TimeSpan delay, Exception exception);

        [LoggerMessage(EventId = 1303, Level = LogLevel.Information, Message = "syncer watch on {Prefix} lost; re-listing")]
        public static partial void WatchLost(ILogger logger, string prefix, Exception exception);

        [LoggerMessage(EventId = 1304, Level = LogLevel.Information, Message = "syncer watch on {Prefix} ended; re-listing")]
        public static partial void WatchEnded(ILogger logger, string prefix);
    }
}
