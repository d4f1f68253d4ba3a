using Calico.Datastore;

namespace Calico.Benchmarks;

/// <summary>
/// Bench-only: a store whose every write (create, update, delete) waits <c>delay</c> before it reaches the inner
/// store, as a slow etcd would answer (this kernel has no netem). Reads and watches pass straight through.
/// </summary>
internal sealed class DelayedWriteStore(IKeyValueStore inner, TimeSpan delay) : IKeyValueStore
{
    public Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken) => inner.GetAsync(key, cancellationToken);

    public Task<ListResult> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    public async Task<WriteResult> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        await Task.Delay(delay, cancellationToken);
        return await inner.CreateAsync(key, value, cancellationToken);
    }

    public async Task<WriteResult> UpdateAsync(string key, ReadOnlyMemory<byte> value, long expectedRevision, CancellationToken cancellationToken)
    {
        await Task.Delay(delay, cancellationToken);
        return await inner.UpdateAsync(key, value, expectedRevision, cancellationToken);
    }

    public async Task<WriteResult> DeleteAsync(string key, long expectedRevision, CancellationToken cancellationToken)
    {
        await Task.Delay(delay, cancellationToken);
        return await inner.DeleteAsync(key, expectedRevision, cancellationToken);
    }

    public IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long afterRevision, CancellationToken cancellationToken) =>
        inner.WatchAsync(prefix, afterRevision, cancellationToken);

    /// <summary>The inner store belongs to the bench.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
