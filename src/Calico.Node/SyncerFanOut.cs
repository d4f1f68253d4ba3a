using Calico.Datastore.Syncer;

namespace Calico.Node;

/// <summary>
/// One syncer feeding several consumers (Felix's agent, the routing loop): each gets every update and status, in
/// order. Consumers only enqueue, so one slow consumer never holds back another (nor the syncer).
/// </summary>
internal sealed class SyncerFanOut(params ISyncerCallbacks[] consumers) : ISyncerCallbacks
{
    public void OnStatusUpdated(SyncStatus status)
    {
        foreach (ISyncerCallbacks consumer in consumers)
        {
            consumer.OnStatusUpdated(status);
        }
    }

    public void OnUpdates(IReadOnlyList<SyncUpdate> updates)
    {
        foreach (ISyncerCallbacks consumer in consumers)
        {
            consumer.OnUpdates(updates);
        }
    }
}
