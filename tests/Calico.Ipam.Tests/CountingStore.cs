using Calico.Datastore;

namespace Calico.Ipam.Tests;

/// <summary>Counts the round trips an IPAM call makes, by kind, and passes everything through.</summary>
internal sealed class CountingStore(IKeyValueStore inner) : IKeyValueStore
{
    private int _gets;
    private int _lists;
    private int _writes;

    public int Gets => Volatile.Read(ref _gets);

    public int Lists => Volatile.Read(ref _lists);

    public int Writes => Volatile.Read(ref _writes);

    public int Total => Gets + Lists + Writes;

    public List<string> Log { get; } = [];

    public void Reset()
    {
        _gets = _lists = _writes = 0;
        lock (Log)
        {
            Log.Clear();
        }
    }

    public Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken)
    {
        Note(ref _gets, "get " + key);
        return inner.GetAsync(key, cancellationToken);
    }

    public Task<ListResult> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        Note(ref _lists, "list " + prefix);
        return inner.ListAsync(prefix, cancellationToken);
    }

    public Task<WriteResult> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        Note(ref _writes, "create " + key);
        return inner.CreateAsync(key, value, cancellationToken);
    }

    public Task<WriteResult> UpdateAsync(string key, ReadOnlyMemory<byte> value, long expectedRevision, CancellationToken cancellationToken)
    {
        Note(ref _writes, "update " + key);
        return inner.UpdateAsync(key, value, expectedRevision, cancellationToken);
    }

    public Task<WriteResult> DeleteAsync(string key, long expectedRevision, CancellationToken cancellationToken)
    {
        Note(ref _writes, "delete " + key);
        return inner.DeleteAsync(key, expectedRevision, cancellationToken);
    }

    public IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long afterRevision, CancellationToken cancellationToken) =>
        inner.WatchAsync(prefix, afterRevision, cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private void Note(ref int counter, string what)
    {
        Interlocked.Increment(ref counter);
        lock (Log)
        {
            Log.Add(what);
        }
    }
}
