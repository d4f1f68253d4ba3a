using Calico.Datastore;

namespace Calico.Cni.Tests;

/// <summary>
/// A store that loses the answer to the first write under a prefix (the write is applied, the caller gets
/// <see cref="DatastoreUnavailableException"/>, as when etcd dies between commit and reply), optionally going down
/// completely from then on until <see cref="Recover"/>.
/// </summary>
internal sealed class FaultyStore(IKeyValueStore inner) : IKeyValueStore
{
    private volatile bool _down;
    private string? _failPrefix;
    private string _failContaining = "";
    private bool _goDown;

    public bool Down => _down;

    /// <summary>Arms the fault: the next write under <paramref name="prefix"/> whose value contains <paramref name="containing"/> applies, then fails.</summary>
    public void FailNextWriteUnder(string prefix, string containing, bool thenGoDown)
    {
        _failPrefix = prefix;
        _failContaining = containing;
        _goDown = thenGoDown;
    }

    public void Recover() => _down = false;

    public Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken) => Up(() => inner.GetAsync(key, cancellationToken));

    public Task<ListResult> ListAsync(string prefix, CancellationToken cancellationToken) => Up(() => inner.ListAsync(prefix, cancellationToken));

    public Task<WriteResult> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken) =>
        WriteAsync(key, value, () => inner.CreateAsync(key, value, cancellationToken));

    public Task<WriteResult> UpdateAsync(string key, ReadOnlyMemory<byte> value, long expectedRevision, CancellationToken cancellationToken) =>
        WriteAsync(key, value, () => inner.UpdateAsync(key, value, expectedRevision, cancellationToken));

    public Task<WriteResult> DeleteAsync(string key, long expectedRevision, CancellationToken cancellationToken) =>
        WriteAsync(key, ReadOnlyMemory<byte>.Empty, () => inner.DeleteAsync(key, expectedRevision, cancellationToken));

    public IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long afterRevision, CancellationToken cancellationToken) =>
        inner.WatchAsync(prefix, afterRevision, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private async Task<T> Up<T>(Func<Task<T>> call)
    {
        if (_down)
        {
            throw new DatastoreUnavailableException("etcd at http://test:2379 did not answer within 10s (test fault)");
        }

        return await call();
    }

    private async Task<WriteResult> WriteAsync(string key, ReadOnlyMemory<byte> value, Func<Task<WriteResult>> write)
    {
        WriteResult result = await Up(write);
        if (_failPrefix is not null && key.StartsWith(_failPrefix, StringComparison.Ordinal) && result.Succeeded
            && System.Text.Encoding.UTF8.GetString(value.Span).Contains(_failContaining, StringComparison.Ordinal))
        {
            _failPrefix = null;
            _down = _goDown;
            throw new DatastoreUnavailableException($"etcd at http://test:2379 failed update {key}: connection lost (test fault)");
        }

        return result;
    }
}
