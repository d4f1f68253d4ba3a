namespace Calico.Datastore;

/// <summary>
/// The one seam every component reads and writes through: a key-value store with etcd v3 semantics.
/// Every write bumps one store-wide revision; a key's <see cref="KeyValue.Revision"/> is the revision
/// of its last write (etcd's mod_revision) and is what resources expose as <c>resourceVersion</c>.
/// Expected outcomes (already exists, not found, conflict) are values, never exceptions.
/// </summary>
public interface IKeyValueStore : IAsyncDisposable
{
    /// <summary>The key, or null when absent.</summary>
    Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>Every key that starts with <paramref name="prefix"/>, sorted by key, read at one revision.</summary>
    Task<ListResult> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Writes the key only if it does not exist (etcd: version(key) == 0).</summary>
    Task<WriteResult> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the key only if its current revision is <paramref name="expectedRevision"/>
    /// (etcd: mod_revision(key) == rev). With <paramref name="expectedRevision"/> 0 the write is an
    /// unconditional put that also creates the key.
    /// </summary>
    Task<WriteResult> UpdateAsync(string key, ReadOnlyMemory<byte> value, long expectedRevision, CancellationToken cancellationToken);

    /// <summary>Deletes the key if its revision is <paramref name="expectedRevision"/>; 0 deletes unconditionally.</summary>
    Task<WriteResult> DeleteAsync(string key, long expectedRevision, CancellationToken cancellationToken);

    /// <summary>
    /// Events for keys under <paramref name="prefix"/> with revision greater than <paramref name="afterRevision"/>,
    /// in revision order, until cancelled. Throws <see cref="WatchCompactedException"/> when that history is gone
    /// and <see cref="DatastoreUnavailableException"/> when the store cannot be reached; a caller re-lists then.
    /// </summary>
    IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long afterRevision, CancellationToken cancellationToken);
}

/// <summary>One stored key. <see cref="Revision"/> is the key's last-modified revision.</summary>
public sealed record KeyValue(string Key, byte[] Value, long Revision);

/// <summary>A consistent list: the items and the store revision they were read at.</summary>
public sealed record ListResult(IReadOnlyList<KeyValue> Items, long Revision);

public enum WriteStatus
{
    Ok,
    AlreadyExists,
    NotFound,
    Conflict,
}

/// <summary>
/// Outcome of a write. On <see cref="WriteStatus.Ok"/>, <see cref="Revision"/> is the new revision of the key
/// (for a delete, the store revision of the delete). Otherwise <see cref="Current"/> is the key as it is now
/// (null when absent), so a caller can report or retry without another read.
/// </summary>
public readonly record struct WriteResult(WriteStatus Status, long Revision, KeyValue? Current)
{
    public bool Succeeded => Status == WriteStatus.Ok;
}

public enum WatchEventType
{
    Put,
    Delete,
}

/// <summary>A change. For a delete, <see cref="Value"/> is null and <see cref="PreviousValue"/> holds what was deleted when known.</summary>
public sealed record WatchEvent(WatchEventType Type, string Key, byte[]? Value, byte[]? PreviousValue, long Revision);

/// <summary>The watch asked for history the store no longer keeps; list again.</summary>
public sealed class WatchCompactedException(long requestedRevision, long compactRevision)
    : Exception($"watch from revision {requestedRevision} is compacted (oldest kept revision {compactRevision})")
{
    public long RequestedRevision { get; } = requestedRevision;
    public long CompactRevision { get; } = compactRevision;
}

/// <summary>The datastore could not be reached or answered with an error that is not an expected outcome.</summary>
public sealed class DatastoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
