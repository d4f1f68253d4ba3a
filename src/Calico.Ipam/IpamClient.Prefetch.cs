using Calico.Datastore;
using Calico.Ipam.Storage;

namespace Calico.Ipam;

/// <summary>
/// Reads ahead what an auto-assignment reads first, so a caller can overlap those reads with its own (the CNI plugin
/// issues them beside its readiness check, before it takes the host's IPAM lock). Nothing read here is trusted for
/// safety: it only fills the cache (see IpamClient.Cache.cs), whose first pass writes by compare-and-swap on the
/// revisions read here and is redone from fresh reads if anything fails.
/// </summary>
public sealed partial class IpamClient
{
    /// <summary>How many of the host's confirmed affine blocks a prefetch reads looking for one with a free address.</summary>
    private const int PrefetchBlockReads = 3;

    /// <summary>
    /// Loads into the cache: IPAM config, reservations, pools, the node's labels, the host's affinity list of each
    /// requested family and, per family, the first confirmed affine block with a free address. All in parallel (the
    /// block read follows its family's affinity list). Does nothing when caching is off.
    /// </summary>
    public async Task PrefetchAutoAssignAsync(string host, bool ipv4, bool ipv6, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        if (!CachingEnabled)
        {
            return;
        }

        var reads = new List<Task> { LoadInputsAsync(host, new Attempt { UseCache = false }, cancellationToken) };
        if (ipv4)
        {
            reads.Add(PrefetchAffineBlockAsync(host, 4, cancellationToken));
        }

        if (ipv6)
        {
            reads.Add(PrefetchAffineBlockAsync(host, 6, cancellationToken));
        }

        await Task.WhenAll(reads).ConfigureAwait(false);
    }

    /// <summary>Drops the cached blocks only (inputs and affinity lists stay): the next assignment reads its block.</summary>
    public void ForgetCachedBlocks()
    {
        lock (_cacheLock)
        {
            _blockCache.Clear();
        }
    }

    private async Task PrefetchAffineBlockAsync(string host, int version, CancellationToken ct)
    {
        var (affinities, _) = await ListAffinitiesAsync(host, version, useCache: false, ct).ConfigureAwait(false);
        string affinity = Block.HostAffinityPrefix + host;
        int reads = 0;
        foreach (var kv in affinities)
        {
            if (reads == PrefetchBlockReads)
            {
                return;
            }

            if (!ResourceKeys.TryParseIpamAffinity(kv.Key, out _, out var cidrText) || !Api.Cidr.TryParse(cidrText, out var cidr))
            {
                continue;
            }

            var state = IpamJson.DecodeAffinity(kv.Value).State;
            if (state != BlockAffinityData.Confirmed && state.Length != 0)
            {
                continue;
            }

            reads++;
            if (await ReadBlockAsync(cidr, ct).ConfigureAwait(false) is { } block
                && string.Equals(block.Value.Data.Affinity, affinity, StringComparison.Ordinal)
                && block.Value.NumFree(Reservations.None) >= 1)
            {
                CacheBlock(block.Value, block.Revision);
                return;
            }
        }
    }
}
