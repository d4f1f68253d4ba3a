namespace Calico.Datastore.Syncer;

/// <summary>Upstream's <c>UpdateType</c>: KVNew, KVUpdated, KVDeleted.</summary>
public enum SyncUpdateType
{
    New,
    Updated,
    Deleted,
}
