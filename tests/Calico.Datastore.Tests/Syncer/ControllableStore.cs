using System.Runtime.CompilerServices;

namespace Calico.Datastore.Tests.Syncer;

/// <summary>
/// Wraps a store so a test can fail lists, silently drop watch events (as if history were lost), and break
/// live watches with <see cref="WatchCompactedException"/>.
/// </summary>
internal sealed class ControllableStore(IKeyValueStore inner) : IKeyValueStore
{
    private CancellationTokenSource _break = new();
    private volatile bool _dropEvents;
    private int _failLists;
    private int _failWatches;
    private int _lists;

    public int Lists => Volatile.Read(ref _lists);

    public void FailNextLists(int count) => Volatile.Write(ref _failLists, count);

    /// <summary>The next <paramref name="count"/> watches end at once with <see cref="DatastoreUnavailableException"/>.</summary>
    public void FailNextWatches(int count) => Volatile.Write(ref _failWatches, count);

    /// <summary>From now on live watches deliver nothing.</summary>
    public void DropWatchEvents() => _dropEvents = true;

    /// <summary>Ends every live watch with <see cref="WatchCompactedException"/>; new watches deliver again.</summary>
    public void BreakWatches()
    {
        // Break first, then deliver again: an event a broken watch already holds must not slip through in between
        // (under load the inner watch can hand over an event of the dropped period late).
        CancellationTokenSource old = Interlocked.Exchange(ref _break, new CancellationTokenSource());
        old.Cancel();
        _dropEvents = false;
    }

    public Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken) => inner.GetAsync(key, cancellationToken);

    public Task<ListResult> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _lists);
        if (Interlocked.Decrement(ref _failLists) >= 0)
        {
            throw new DatastoreUnavailableException("injected list failure");
        }

        return inner.ListAsync(prefix, cancellationToken);
    }

    public Task<WriteResult> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken) => inner.CreateAsync(key, value, cancellationToken);

    public Task<WriteResult> UpdateAsync(string key, ReadOnlyMemory<byte> value, long expectedRevision, CancellationToken cancellationToken) =>
        inner.UpdateAsync(key, value, expectedRevision, cancellationToken);

    public Task<WriteResult> DeleteAsync(string key, long expectedRevision, CancellationToken cancellationToken) => inner.DeleteAsync(key, expectedRevision, cancellationToken);

    public async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long afterRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (Interlocked.Decrement(ref _failWatches) >= 0)
        {
            throw new DatastoreUnavailableException("injected watch failure");
        }

        CancellationToken broken = Volatile.Read(ref _break).Token;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, broken);
        IAsyncEnumerator<WatchEvent> events = inner.WatchAsync(prefix, afterRevision, linked.Token).GetAsyncEnumerator(linked.Token);
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await events.MoveNextAsync();
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new WatchCompactedException(afterRevision, afterRevision + 1);
                }

                if (!more)
                {
                    yield break;
                }

                if (_dropEvents)
                {
                    continue;
                }

                if (broken.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new WatchCompactedException(afterRevision, afterRevision + 1);
                }

                yield return events.Current;
            }
        }
        finally
        {
            await events.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
