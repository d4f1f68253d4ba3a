using System.Diagnostics;
using System.Globalization;
using System.Text;
using Calico.Datastore;

namespace Calico.Cni;

/// <summary>
/// Counts the datastore calls of one invocation and the time spent waiting for each (only when
/// <see cref="CniPhases"/> is on): the bench prints how many round trips an ADD takes and how long the first one
/// (which opens the connection) lasts.
/// </summary>
internal sealed class CountingKeyValueStore(IKeyValueStore inner, CountingKeyValueStore.Counters counters) : IKeyValueStore
{
    public async Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var start = counters.Begin();
        try
        {
            return await inner.GetAsync(key, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            counters.End("get", start);
        }
    }

    public async Task<ListResult> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        var start = counters.Begin();
        try
        {
            return await inner.ListAsync(prefix, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            counters.End("list", start);
        }
    }

    public async Task<WriteResult> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        var start = counters.Begin();
        try
        {
            return await inner.CreateAsync(key, value, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            counters.End("create", start);
        }
    }

    public async Task<WriteResult> UpdateAsync(string key, ReadOnlyMemory<byte> value, long expectedRevision, CancellationToken cancellationToken)
    {
        var start = counters.Begin();
        try
        {
            return await inner.UpdateAsync(key, value, expectedRevision, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            counters.End("update", start);
        }
    }

    public async Task<WriteResult> DeleteAsync(string key, long expectedRevision, CancellationToken cancellationToken)
    {
        var start = counters.Begin();
        try
        {
            return await inner.DeleteAsync(key, expectedRevision, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            counters.End("delete", start);
        }
    }

    public IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long afterRevision, CancellationToken cancellationToken) =>
        inner.WatchAsync(prefix, afterRevision, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    /// <summary>Per-kind call counts and waiting time; "trips" counts the moments with at least one call in flight that began alone.</summary>
    internal sealed class Counters
    {
        private readonly Lock _lock = new();
        private readonly SortedDictionary<string, (int Count, double Milliseconds)> _byKind = new(StringComparer.Ordinal);
        private int _inFlight;
        private int _sequentialTrips;
        private double _firstCallMilliseconds = -1;

        public long Begin()
        {
            lock (_lock)
            {
                if (_inFlight++ == 0)
                {
                    _sequentialTrips++;
                }
            }

            return Stopwatch.GetTimestamp();
        }

        public void End(string kind, long start)
        {
            var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            lock (_lock)
            {
                _inFlight--;
                if (_firstCallMilliseconds < 0)
                {
                    _firstCallMilliseconds = ms;
                }

                _byKind[kind] = _byKind.TryGetValue(kind, out var c) ? (c.Count + 1, c.Milliseconds + ms) : (1, ms);
            }
        }

        /// <summary><c>etcd trips=N first=1.234 get=2/0.800 ...</c> (count/total ms per kind).</summary>
        public string Format()
        {
            var text = new StringBuilder("etcd");
            lock (_lock)
            {
                text.Append(" trips=").Append(_sequentialTrips.ToString(CultureInfo.InvariantCulture));
                text.Append(" first=").Append(Math.Max(0, _firstCallMilliseconds).ToString("0.000", CultureInfo.InvariantCulture));
                foreach (var (kind, (count, ms)) in _byKind)
                {
                    text.Append(' ').Append(kind).Append('=').Append(count.ToString(CultureInfo.InvariantCulture)).Append('/').Append(ms.ToString("0.000", CultureInfo.InvariantCulture));
                }
            }

            return text.ToString();
        }
    }
}
