namespace Calico.Datastore.Syncer;

/// <summary>Timings of a <see cref="WatcherSyncer"/>; defaults follow upstream's watchersyncer.</summary>
public sealed class WatcherSyncerOptions
{
    /// <summary>First wait before re-listing after a failed list or a lost watch (upstream: 500 ms min resync).</summary>
    public TimeSpan MinRetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The wait doubles on consecutive failures up to this: how late, at most, a node lists again after a long
    /// outage ends (upstream retries a failed list every 1 s; 5 s keeps 19 prefixes per node from hammering a
    /// failing etcd).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The most updates handed to one <see cref="ISyncerCallbacks.OnUpdates"/> call.</summary>
    public int MaxBatchSize { get; set; } = 1000;
}
