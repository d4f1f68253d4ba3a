using Calico.Datastore;

namespace Calico.Node.Tests;

/// <summary>
/// A store whose writes (create, update, delete) can be held: once <see cref="Block"/> is called every write waits
/// until <see cref="Release"/>, as against an etcd that stopped answering. Reads and watches pass straight through.
/// </summary>
internal sealed class WriteBlockingStore(IKeyValueStore inner) : IKeyValueStore
{
    private readonly TaskCompletionSource _firstBlocked = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource? _gate;

    /// <summary>Completes when the first write is held.</summary>
    public Task WriteBlocked => _firstBlocked.Task;

    public void Block() => Volatile.Write(ref _gate, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public void Release() => Interlocked.Exchange(ref _gate, null)?.TrySetResult();

    public Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken) => inner.GetAsync(key, cancellationToken);

    public Task<ListResult> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    public async Task<WriteResult> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        await HoldAsync(cancellationToken);
        return await inner.CreateAsync(key, value, cancellationToken);
    }

    public async Task<WriteResult> UpdateAsync(string key, ReadOnlyMemory<byte> value, long expectedRevision, CancellationToken cancellationToken)
    {
        await HoldAsync(cancellationToken);
        return await inner.UpdateAsync(key, value, expectedRevision, cancellationToken);
    }

    public async Task<WriteResult> DeleteAsync(string key, long expectedRevision, CancellationToken cancellationToken)
    {
        await HoldAsync(cancellationToken);
        return await inner.DeleteAsync(key, expectedRevision, cancellationToken);
    }

    public IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long afterRevision, CancellationToken cancellationToken) =>
        inner.WatchAsync(prefix, afterRevision, cancellationToken);

    /// <summary>The inner store belongs to the test.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task HoldAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _gate) is { } gate)
        {
            _firstBlocked.TrySetResult();
            await gate.Task.WaitAsync(cancellationToken);
        }
    }
}
