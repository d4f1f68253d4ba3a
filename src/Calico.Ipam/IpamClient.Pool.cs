using System.Net;
using Calico.Datastore;

namespace Calico.Ipam;

/// <summary>Releasing an IP pool's blocks when the pool goes (upstream ReleasePoolAffinities).</summary>
public sealed partial class IpamClient
{
    /// <summary>
    /// Releases every host's affinity to blocks inside <paramref name="poolCidr"/> as upstream's ReleasePoolAffinities
    /// does: an empty block is deleted, a block with allocations loses its affinity and keeps them (its addresses stay
    /// with their workloads; the block goes when its last address is released). Then deletes any empty, unaffine block
    /// left inside the CIDR (upstream leaves those; none should exist, but a crash can leave one). Call it on a disabled
    /// pool, once allocations in flight have finished; safe to repeat.
    /// </summary>
    public async Task<AffinityReleaseResult> ReleasePoolAffinitiesAsync(IPNetwork poolCidr, CancellationToken cancellationToken)
    {
        var attempt = new Attempt();
        var deleted = new List<IPNetwork>();
        var unaffined = new List<IPNetwork>();
        for (int pass = 0; ; pass++)
        {
            if (pass == MaxRetries)
            {
                throw new IpamException(MaxRetriesMessage);
            }

            bool again = false;
            var list = await Store.ListAsync(IpamHostRoot, cancellationToken).ConfigureAwait(false);
            foreach (var kv in list.Items)
            {
                if (!ResourceKeys.TryParseIpamAffinity(kv.Key, out var host, out var cidrText)
                    || !Api.Cidr.TryParse(cidrText, out var cidr)
                    || !poolCidr.Contains(cidr.BaseAddress))
                {
                    continue;
                }

                // A claim conflict means the affinity was stale (the block names another host) and is now gone: list
                // again so the block's real owner is released too (upstream retries the same way).
                var outcome = await ReleaseAffinityOnceAsync(host, cidr, attempt, deleted, unaffined, cancellationToken).ConfigureAwait(false);
                again |= outcome == Outcome.ClaimConflict;
                InvalidateAffinities(host, IpMath.IsV6(cidr.BaseAddress) ? 6 : 4);
            }

            if (!again)
            {
                break;
            }
        }

        foreach (var versioned in await ListBlocksAsync(IpMath.IsV6(poolCidr.BaseAddress) ? 6 : 4, cancellationToken).ConfigureAwait(false))
        {
            var block = versioned.Value;
            if (poolCidr.Contains(block.Cidr.BaseAddress) && block.Data.Affinity is null && block.IsEmpty())
            {
                // Compare-and-delete: a block written meanwhile is someone's and stays.
                var written = await DeleteBlockAsync(block, versioned.Revision, cancellationToken).ConfigureAwait(false);
                if (written.Succeeded)
                {
                    deleted.Add(block.Cidr);
                }
            }
        }

        return new AffinityReleaseResult(deleted, unaffined);
    }
}
