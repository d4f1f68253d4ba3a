using System.Net;
using Calico.Datastore;

namespace Calico.Ipam;

/// <summary>
/// Removing a host from IPAM (upstream RemoveIPAMHost: ReleaseHostAffinities with mustBeEmpty=false, then the
/// IPAMHost key) and dropping handles left with no address. Each call is safe to repeat: a re-run after a crash
/// finds what is left and finishes it.
/// </summary>
public sealed partial class IpamClient
{
    private const string IpamHostRoot = ResourceKeys.IpamRoot + "host/";

    /// <summary>
    /// Releases every block affinity of <paramref name="host"/> (both families, any state): an empty block is deleted,
    /// a block that still holds addresses loses its affinity and keeps them (upstream). Then removes whatever else is
    /// stored for the host: an unreadable key under <c>/calico/ipam/v2/host/&lt;host&gt;/</c>, and the IPAMHost key
    /// <c>/calico/ipam/v2/host/&lt;host&gt;</c> a Go Calico may have written. Does not release addresses.
    /// </summary>
    public async Task<AffinityReleaseResult> RemoveHostAsync(string host, CancellationToken cancellationToken)
    {
        ValidateHost(host);
        var attempt = new Attempt();
        var deleted = new List<IPNetwork>();
        var unaffined = new List<IPNetwork>();
        string prefix = IpamHostRoot + host + "/";
        for (int pass = 0; ; pass++)
        {
            var list = await Store.ListAsync(prefix, cancellationToken).ConfigureAwait(false);
            if (list.Items.Count == 0)
            {
                break;
            }

            if (pass == MaxRetries)
            {
                throw new IpamException(MaxRetriesMessage);
            }

            foreach (var kv in list.Items)
            {
                if (ResourceKeys.TryParseIpamAffinity(kv.Key, out var node, out var cidrText)
                    && string.Equals(node, host, StringComparison.Ordinal)
                    && Api.Cidr.TryParse(cidrText, out var cidr))
                {
                    await ReleaseAffinityOnceAsync(host, cidr, attempt, deleted, unaffined, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    // Nothing can read it, so nothing else refers to it: it goes as it is (compare-and-delete).
                    await Store.DeleteAsync(kv.Key, kv.Revision, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        var hostKey = await Store.GetAsync(IpamHostRoot + host, cancellationToken).ConfigureAwait(false);
        if (hostKey is not null)
        {
            await Store.DeleteAsync(hostKey.Key, hostKey.Revision, cancellationToken).ConfigureAwait(false);
        }

        InvalidateAffinities(host, 4);
        InvalidateAffinities(host, 6);
        return new AffinityReleaseResult(deleted, unaffined);
    }

    /// <summary>
    /// Deletes the handle if none of the blocks it names holds an address under it any more (a handle whose count
    /// outlived its addresses, e.g. after a crash between a block write and the handle's update). True when deleted;
    /// false when absent or still in use. Only for handles no one is assigning to (their owner is gone): an assignment
    /// writes the handle before the block, so a live owner's handle can look unused for one round trip.
    /// </summary>
    public Task<bool> DeleteHandleIfUnusedAsync(string handleId, CancellationToken cancellationToken) =>
        DeleteHandleIfUnusedAsync(handleId, TimeSpan.Zero, cancellationToken);

    /// <summary>
    /// Like <see cref="DeleteHandleIfUnusedAsync(string, CancellationToken)"/>, for a handle whose owner may still be
    /// assigning: it must look unused twice, <paramref name="confirmAfter"/> apart, at the same revision. An
    /// assignment writes the handle and then its block within a few round trips, so by then its address is in the
    /// block or the handle has changed (its count taken back); a handle unchanged and unused for that long is left over.
    /// </summary>
    public async Task<bool> DeleteHandleIfUnusedAsync(string handleId, TimeSpan confirmAfter, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(handleId);
        handleId = Block.Sanitize(handleId);
        for (int i = 0; i < MaxRetries; i++)
        {
            var handle = await ReadHandleAsync(handleId, cancellationToken).ConfigureAwait(false);
            if (handle is null || await HandleInUseAsync(handleId, handle.Value, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            if (confirmAfter > TimeSpan.Zero)
            {
                await Task.Delay(confirmAfter, Time, cancellationToken).ConfigureAwait(false);
                var again = await ReadHandleAsync(handleId, cancellationToken).ConfigureAwait(false);
                if (again is null || again.Revision != handle.Revision || await HandleInUseAsync(handleId, again.Value, cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }
            }

            var written = await Store.DeleteAsync(ResourceKeys.IpamHandle(handleId), handle.Revision, cancellationToken).ConfigureAwait(false);
            if (written.Status != WriteStatus.Conflict)
            {
                return written.Succeeded;
            }

            Interlocked.Increment(ref _casRetries);
        }

        throw new IpamException(MaxRetriesMessage);
    }

    /// <summary>Whether any block the handle names holds an address (not cooling) under it.</summary>
    private async Task<bool> HandleInUseAsync(string handleId, Storage.IpamHandleData handle, CancellationToken ct)
    {
        foreach (var cidrText in (handle.Block ?? []).Keys)
        {
            if (Api.Cidr.TryParse(cidrText, out var cidr)
                && await ReadBlockAsync(cidr, ct).ConfigureAwait(false) is { } block
                && block.Value.AddressesOf(handleId).Count > 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>One affinity through upstream's releaseBlockAffinity, retried on a lost CAS; records what became of the block.</summary>
    private async Task<Outcome> ReleaseAffinityOnceAsync(
        string host, IPNetwork cidr, Attempt attempt, List<IPNetwork> deleted, List<IPNetwork> unaffined, CancellationToken ct)
    {
        for (int i = 0; i < MaxRetries; i++)
        {
            var outcome = await ReleaseBlockAffinityAsync(host, cidr, requireEmpty: false, null, attempt, ct).ConfigureAwait(false);
            if (outcome == Outcome.Conflict)
            {
                CountRetry(attempt);
                continue;
            }

            if (outcome == Outcome.Ok)
            {
                bool stays = await ReadBlockAsync(cidr, ct).ConfigureAwait(false) is not null;
                (stays ? unaffined : deleted).Add(cidr);
            }

            return outcome;
        }

        throw new IpamException(MaxRetriesMessage);
    }

    private static void ValidateHost(string host)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        if (host.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"host name \"{host}\" must not contain '/'", nameof(host));
        }
    }
}
