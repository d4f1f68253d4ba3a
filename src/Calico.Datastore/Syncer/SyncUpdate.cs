namespace Calico.Datastore.Syncer;

/// <summary>
/// One key's change as a syncer consumer sees it. <see cref="Value"/> is null for deletes;
/// <see cref="Revision"/> is the key's mod revision (for a delete, the revision that deleted it, or the
/// list revision when the delete was inferred by a re-list).
/// </summary>
public sealed record SyncUpdate(SyncUpdateType Type, string Key, byte[]? Value, long Revision);
