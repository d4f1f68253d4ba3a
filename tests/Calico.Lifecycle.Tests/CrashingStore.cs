using Calico.Datastore;

namespace Calico.Lifecycle.Tests;

/// <summary>
/// A store whose process "dies" after a number of writes: the next write throws before it reaches the inner store,
/// and so does every call after it, as if the run had been killed there. Counts the writes that went through.
/// </summary>
internal sealed class CrashingStore(IKeyValueStore inner, int writesBeforeCrash = int.MaxValue) : IKeyValueStore
{
    private int _writes;
    private bool _crashed;

    public int Writes => _writes;

    public bool Crashed => _crashed;

    public Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken) => Alive(() => inner.GetAsync(key, cancellationToken));

    public Task<ListResult> ListAsync(string prefix, CancellationToken cancellationToken) => Alive(() => inner.ListAsync(prefix, cancellationToken));

    public Task<WriteResult> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken) =>
        Write(() => inner.CreateAsync(key, value, cancellationToken));

    public Task<WriteResult> UpdateAsync(string key, ReadOnlyMemory<byte> value, long expectedRevision, CancellationToken cancellationToken) =>
        Write(() => inner.UpdateAsync(key, value, expectedRevision, cancellationToken));

    public Task<WriteResult> DeleteAsync(string key, long expectedRevision, CancellationToken cancellationToken) =>
        Write(() => inner.DeleteAsync(key, expectedRevision, cancellationToken));

    public IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long afterRevision, CancellationToken cancellationToken) =>
        inner.WatchAsync(prefix, afterRevision, cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private Task<T> Alive<T>(Func<Task<T>> call) =>
        _crashed ? throw new SimulatedCrashException() : call();

    private Task<WriteResult> Write(Func<Task<WriteResult>> write)
    {
        if (_crashed || _writes == writesBeforeCrash)
        {
            _crashed = true;
            throw new SimulatedCrashException();
        }

        _writes++;
        return write();
    }
}

/// <summary>Thrown where a killed process would have stopped.</summary>
internal sealed class SimulatedCrashException : Exception
{
    public SimulatedCrashException()
        : base("simulated crash")
    {
    }
}
