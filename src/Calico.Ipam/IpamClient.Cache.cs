using System.Net;
using Calico.Datastore;

namespace Calico.Ipam;

/// <summary>
/// Per-instance cache of what changes slowly (config, reservations, pools, node labels, this host's affinity list) and
/// of the blocks this client last wrote. Nothing here is trusted for safety: every write is still a CAS on the
/// revision the cached copy was read or written at, so a stale entry costs one failed CAS, never a duplicate.
/// See DESIGN.md ("Caching") for what may be decided from cached state.
/// </summary>
public sealed partial class IpamClient
{
    private readonly Lock _cacheLock = new();
    private readonly Dictionary<string, Timed<IReadOnlyDictionary<string, string>>> _labelCache = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Host, int Version), Timed<IReadOnlyList<KeyValue>>> _affinityCache = [];
    private readonly Dictionary<IPNetwork, Timed<Versioned<Block>>> _blockCache = [];
    private Timed<Inputs>? _inputCache;

    /// <summary>
    /// How long pools, reservations, IPAM config, node labels and a host's affinity list read by this client are reused
    /// (and a block it wrote is tried again without a read). Zero disables caching. A failure is never reported from
    /// cached state: the call is redone from fresh reads first.
    /// </summary>
    public TimeSpan CacheValidity { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Jitter for the backoff after a lost block CAS (inject a seeded one for repeatable tests).</summary>
    public Random Random { get; init; } = Random.Shared;

    private DateTimeOffset _contendedUntil = DateTimeOffset.MinValue;

    private sealed record Timed<T>(T Value, DateTimeOffset ReadAt);

    /// <summary>
    /// Whether a block CAS of this client lost recently. Writing blind from the cache would then mostly lose again, so
    /// the block is read right before its write instead (after the handle write, keeping the CAS window one round trip).
    /// </summary>
    private bool Contended
    {
        get
        {
            lock (_cacheLock)
            {
                return Time.GetUtcNow() < _contendedUntil;
            }
        }
    }

    private void NoteContention()
    {
        lock (_cacheLock)
        {
            _contendedUntil = Time.GetUtcNow() + CacheValidity;
        }
    }

    /// <summary>Full-jitter exponential backoff after the <paramref name="losses"/>-th lost CAS: 0..2^losses ms, at most 32 ms.</summary>
    private Task BackoffAsync(int losses, CancellationToken ct)
    {
        double maxMs = Math.Min(32, 1 << Math.Min(losses, 5));
        return Task.Delay(TimeSpan.FromMilliseconds(Random.NextDouble() * maxMs), Time, ct);
    }

    /// <summary>The cluster-wide inputs of an auto-assignment.</summary>
    private sealed record Inputs(IpamConfig Config, Reservations Reservations, IReadOnlyList<Pool> Pools);

    /// <summary>Drops everything cached, so the next call reads the datastore afresh.</summary>
    public void InvalidateCache()
    {
        lock (_cacheLock)
        {
            _inputCache = null;
            _labelCache.Clear();
            _affinityCache.Clear();
            _blockCache.Clear();
        }
    }

    private bool CachingEnabled => CacheValidity > TimeSpan.Zero;

    private bool IsFresh(DateTimeOffset readAt)
    {
        var age = Time.GetUtcNow() - readAt;
        return age >= TimeSpan.Zero && age < CacheValidity;
    }

    /// <summary>Config, reservations, pools and the node's labels: cached when fresh, else read in parallel (one round trip of latency).</summary>
    private async Task<(Inputs Inputs, IReadOnlyDictionary<string, string> Labels)> LoadInputsAsync(string host, Attempt attempt, CancellationToken ct)
    {
        Inputs? inputs = null;
        IReadOnlyDictionary<string, string>? labels = null;
        if (attempt.UseCache)
        {
            lock (_cacheLock)
            {
                if (_inputCache is { } i && IsFresh(i.ReadAt))
                {
                    inputs = i.Value;
                }

                if (_labelCache.TryGetValue(host, out var l) && IsFresh(l.ReadAt))
                {
                    labels = l.Value;
                }
            }
        }

        if (inputs is not null && labels is not null)
        {
            attempt.UsedCache = true;
            return (inputs, labels);
        }

        var now = Time.GetUtcNow();
        var labelsTask = labels is null ? NodeLabelsAsync(host, ct) : Task.FromResult(labels);
        if (inputs is null)
        {
            var configTask = GetConfigAsync(ct);
            var reservationsTask = LoadReservationsAsync(ct);
            var poolsTask = ListPoolsAsync(ct);
            await Task.WhenAll(configTask, reservationsTask, poolsTask, labelsTask).ConfigureAwait(false);
            inputs = new Inputs(await configTask.ConfigureAwait(false), await reservationsTask.ConfigureAwait(false), await poolsTask.ConfigureAwait(false));
        }
        else
        {
            attempt.UsedCache = true;
        }

        labels = await labelsTask.ConfigureAwait(false);
        if (CachingEnabled)
        {
            lock (_cacheLock)
            {
                _inputCache = new Timed<Inputs>(inputs, now);
                _labelCache[host] = new Timed<IReadOnlyDictionary<string, string>>(labels, now);
            }
        }

        return (inputs, labels);
    }

    /// <summary>The IPAM config, from the cache when fresh (it only sets the release cooldown where this is used).</summary>
    private async Task<IpamConfig> CachedConfigAsync(CancellationToken ct)
    {
        lock (_cacheLock)
        {
            if (_inputCache is { } i && IsFresh(i.ReadAt))
            {
                return i.Value.Config;
            }
        }

        return await GetConfigAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The host's affinities of one family as listed (values and revisions); cached when fresh.</summary>
    private async Task<(IReadOnlyList<KeyValue> Items, bool FromCache)> ListAffinitiesAsync(string host, int version, bool useCache, CancellationToken ct)
    {
        if (useCache)
        {
            lock (_cacheLock)
            {
                if (_affinityCache.TryGetValue((host, version), out var cached) && IsFresh(cached.ReadAt))
                {
                    return (cached.Value, true);
                }
            }
        }

        var now = Time.GetUtcNow();
        var list = await Store.ListAsync(ResourceKeys.IpamAffinityPrefix(host, version), ct).ConfigureAwait(false);
        if (CachingEnabled)
        {
            lock (_cacheLock)
            {
                _affinityCache[(host, version)] = new Timed<IReadOnlyList<KeyValue>>(list.Items, now);
            }
        }

        return (list.Items, false);
    }

    private void InvalidateAffinities(string host, int version)
    {
        lock (_cacheLock)
        {
            _affinityCache.Remove((host, version));
        }
    }

    /// <summary>
    /// Takes a cached block out of the cache (the caller then owns the mutable copy, so two calls on one client never
    /// share it). Null when absent or older than <see cref="CacheValidity"/>.
    /// </summary>
    private Versioned<Block>? TakeCachedBlock(IPNetwork cidr)
    {
        lock (_cacheLock)
        {
            if (!_blockCache.Remove(cidr, out var cached))
            {
                return null;
            }

            return IsFresh(cached.ReadAt) ? cached.Value : null;
        }
    }

    /// <summary>Remembers a block exactly as this client just wrote it, at the revision the write returned. The caller must not touch it afterwards.</summary>
    private void CacheBlock(Block block, long revision)
    {
        if (!CachingEnabled)
        {
            return;
        }

        lock (_cacheLock)
        {
            if (_blockCache.TryGetValue(block.Cidr, out var existing) && existing.Value.Revision >= revision)
            {
                return;
            }

            _blockCache[block.Cidr] = new Timed<Versioned<Block>>(new Versioned<Block>(block, revision), Time.GetUtcNow());
        }
    }

    private void ForgetBlock(IPNetwork cidr)
    {
        lock (_cacheLock)
        {
            _blockCache.Remove(cidr);
        }
    }
}
