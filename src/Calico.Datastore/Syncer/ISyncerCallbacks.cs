namespace Calico.Datastore.Syncer;

/// <summary>
/// Where a <see cref="WatcherSyncer"/> delivers. Calls come from one task, never concurrently, and updates queued
/// before a status change are always delivered before it.
/// </summary>
public interface ISyncerCallbacks
{
    void OnStatusUpdated(SyncStatus status);

    void OnUpdates(IReadOnlyList<SyncUpdate> updates);
}
