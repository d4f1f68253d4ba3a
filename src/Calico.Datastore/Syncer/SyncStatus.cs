namespace Calico.Datastore.Syncer;

/// <summary>Upstream's syncer status (<c>api.SyncStatus</c>), in the order a syncer moves through it.</summary>
public enum SyncStatus
{
    /// <summary>No prefix has been listed yet.</summary>
    WaitForDatastore,

    /// <summary>Some prefixes are listed, not all.</summary>
    ResyncInProgress,

    /// <summary>Every prefix has been listed and its updates delivered: consumers may now delete what they were not told about.</summary>
    InSync,
}
