using System.Net;
using Calico.Datastore;
using Calico.Ipam.Storage;

namespace Calico.Ipam;

/// <summary>Release by address and by handle, handle bookkeeping, affinity release, and reads for tools.</summary>
public sealed partial class IpamClient
{
    private static readonly int[] IpVersions = [4, 6];

    /// <summary>
    /// Releases addresses (upstream ReleaseIPs). An address whose given sequence number or handle no longer matches
    /// is left allocated and reported in <see cref="ReleaseResult.Conflicts"/>: it was re-allocated since it was read.
    /// </summary>
    public async Task<ReleaseResult> ReleaseAsync(IReadOnlyList<ReleaseOptions> addresses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var attempt = new Attempt();
        var notAllocated = new List<IPAddress>();
        var conflicts = new List<IPAddress>();
        if (addresses.Count == 0)
        {
            return new ReleaseResult(notAllocated, conflicts);
        }

        var pools = await ListPoolsAsync(cancellationToken).ConfigureAwait(false);
        List<Versioned<Block>>? cachedBlocks = null;
        var byBlock = new Dictionary<IPNetwork, List<ReleaseOptions>>();
        foreach (var opt in addresses)
        {
            IPNetwork? cidr = pools.FirstOrDefault(p => p.Cidr.Contains(opt.Address))?.BlockFor(opt.Address);
            if (cidr is null)
            {
                // The pool is gone: find the block that holds the address, if any.
                cachedBlocks ??= [.. await ListBlocksAsync(4, cancellationToken).ConfigureAwait(false), .. await ListBlocksAsync(6, cancellationToken).ConfigureAwait(false)];
                cidr = cachedBlocks.FirstOrDefault(b => b.Value.Cidr.Contains(opt.Address))?.Value.Cidr;
            }

            if (cidr is not { } blockCidr)
            {
                notAllocated.Add(opt.Address);
                continue;
            }

            if (!byBlock.TryGetValue(blockCidr, out var list))
            {
                byBlock[blockCidr] = list = [];
            }

            list.Add(opt);
        }

        var config = await GetConfigAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (cidr, options) in byBlock)
        {
            await ReleaseFromBlockAsync(cidr, options, config, notAllocated, conflicts, attempt, cancellationToken).ConfigureAwait(false);
        }

        return new ReleaseResult(notAllocated, conflicts);
    }

    private async Task ReleaseFromBlockAsync(
        IPNetwork cidr, List<ReleaseOptions> options, IpamConfig config, List<IPAddress> notAllocated, List<IPAddress> conflicts, Attempt attempt, CancellationToken ct)
    {
        for (int i = 0; i < MaxRetries; i++)
        {
            var versioned = await ReadBlockAsync(cidr, ct).ConfigureAwait(false);
            if (versioned is null)
            {
                notAllocated.AddRange(options.Select(o => o.Address));
                return;
            }

            var block = versioned.Value;
            var requests = options.Select(o => (block.OrdinalOf(o.Address), o.SequenceNumber, o.HandleId is null ? null : Block.Sanitize(o.HandleId))).ToList();
            var unallocatedOrdinals = new List<int>();
            var conflictOrdinals = new List<int>();
            var counts = block.Release(requests, config.IpCooldownSeconds, Time.GetUtcNow(), unallocatedOrdinals, conflictOrdinals);
            if (counts.Count == 0 && !ReleasedAny(requests, unallocatedOrdinals, conflictOrdinals))
            {
                notAllocated.AddRange(unallocatedOrdinals.Select(block.AddressOf));
                conflicts.AddRange(conflictOrdinals.Select(block.AddressOf));
                return;
            }

            var written = block.IsEmpty() && block.Data.Affinity is null
                ? await DeleteBlockAsync(block, versioned.Revision, ct).ConfigureAwait(false)
                : await UpdateBlockAsync(block, versioned.Revision, ct).ConfigureAwait(false);
            if (!written.Succeeded)
            {
                CountRetry(attempt);
                continue;
            }

            notAllocated.AddRange(unallocatedOrdinals.Select(block.AddressOf));
            conflicts.AddRange(conflictOrdinals.Select(block.AddressOf));
            foreach (var (handle, count) in counts)
            {
                await DecrementHandleAsync(handle, cidr, count, attempt, ct).ConfigureAwait(false);
            }

            return;
        }

        throw new IpamException(MaxRetriesMessage);
    }

    /// <summary>An address without a handle can be released too; it just has no handle count to decrement.</summary>
    private static bool ReleasedAny(List<(int Ordinal, ulong? Seq, string? Handle)> requests, List<int> unallocated, List<int> conflicts)
    {
        var distinct = requests.Select(r => r.Ordinal).Distinct().Count();
        return distinct > unallocated.Count + conflicts.Count;
    }

    private async Task<bool> ReleaseByHandleCoreAsync(string handleId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(handleId);
        handleId = Block.Sanitize(handleId);
        var attempt = new Attempt();

        // The config (for the release cooldown) is read beside the handle: one round trip of latency, not two.
        var configRead = CachedConfigAsync(ct);
        Versioned<IpamHandleData>? handle;
        try
        {
            handle = await ReadHandleAsync(handleId, ct).ConfigureAwait(false);
        }
        catch
        {
            await IgnoreFailureAsync(configRead).ConfigureAwait(false);
            throw;
        }

        if (handle is null)
        {
            await IgnoreFailureAsync(configRead).ConfigureAwait(false);
            return false;
        }

        RememberHandle(attempt, handleId, handle);
        var config = await configRead.ConfigureAwait(false);
        foreach (var cidrText in (handle.Value.Block ?? []).Keys.ToList())
        {
            if (!Api.Cidr.TryParse(cidrText, out var cidr))
            {
                continue;
            }

            // A block this client wrote is tried without a read; the CAS on its revision catches any later change.
            // Deciding there is nothing to release is not a write, so it is only ever made on a fresh read.
            var versioned = TakeCachedBlock(cidr);
            bool fromCache = versioned is not null;
            versioned ??= await ReadBlockAsync(cidr, ct).ConfigureAwait(false);
            for (int i = 0; ; i++)
            {
                if (i == MaxRetries)
                {
                    throw new IpamException("Hit max retries");
                }

                if (versioned is null)
                {
                    break;
                }

                var block = versioned.Value;
                int released = block.ReleaseByHandle(handleId, config.IpCooldownSeconds, Time.GetUtcNow());
                if (released == 0)
                {
                    if (fromCache)
                    {
                        fromCache = false;
                        versioned = await ReadBlockAsync(cidr, ct).ConfigureAwait(false);
                        continue;
                    }

                    break;
                }

                bool delete = block.IsEmpty() && block.Data.Affinity is null;
                var written = delete
                    ? await DeleteBlockAsync(block, versioned.Revision, ct).ConfigureAwait(false)
                    : await UpdateBlockAsync(block, versioned.Revision, ct).ConfigureAwait(false);
                if (!written.Succeeded)
                {
                    CountRetry(attempt);
                    versioned = written.Status == WriteStatus.Conflict && written.Current is not null
                        ? DecodeBlock(written.Current)
                        : await ReadBlockAsync(cidr, ct).ConfigureAwait(false);
                    continue;
                }

                if (!delete)
                {
                    CacheBlock(block, written.Revision);
                }

                await DecrementHandleAsync(handleId, cidr, released, attempt, ct).ConfigureAwait(false);
                break;
            }
        }

        return true;
    }

    private async Task<IReadOnlyList<IPAddress>> IpsByHandleCoreAsync(string handleId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(handleId);
        handleId = Block.Sanitize(handleId);
        var handle = await ReadHandleAsync(handleId, ct).ConfigureAwait(false);
        if (handle is null)
        {
            return [];
        }

        var result = new List<IPAddress>();
        foreach (var cidrText in (handle.Value.Block ?? []).Keys)
        {
            if (Api.Cidr.TryParse(cidrText, out var cidr) && await ReadBlockAsync(cidr, ct).ConfigureAwait(false) is { } block)
            {
                result.AddRange(block.Value.AddressesOf(handleId));
            }
        }

        return result;
    }

    /// <summary>
    /// Adds <paramref name="num"/> to the handle's count for the block, creating the handle when needed. Tries the
    /// write first (create, or CAS on the revision this call last saw) and uses the current value a failed write
    /// returns, so the common case of a new handle is one round trip.
    /// </summary>
    private async Task IncrementHandleAsync(string handleId, IPNetwork cidr, int num, Attempt attempt, CancellationToken ct)
    {
        string key = ResourceKeys.IpamHandle(handleId);
        string cidrText = IpMath.Format(cidr);
        var current = KnownHandle(attempt, handleId);
        for (int i = 0; i < MaxRetries; i++)
        {
            WriteResult written;
            IpamHandleData data;
            if (current is null)
            {
                data = new IpamHandleData { Block = new Dictionary<string, int>(StringComparer.Ordinal) { [cidrText] = num } };
                written = await Store.CreateAsync(key, IpamJson.Encode(data), ct).ConfigureAwait(false);
            }
            else
            {
                data = current.Value;
                data.Block ??= new Dictionary<string, int>(StringComparer.Ordinal);
                data.Block[cidrText] = data.Block.GetValueOrDefault(cidrText) + num;
                written = await Store.UpdateAsync(key, IpamJson.Encode(data), current.Revision, ct).ConfigureAwait(false);
            }

            if (written.Succeeded)
            {
                RememberHandle(attempt, handleId, new Versioned<IpamHandleData>(data, written.Revision));
                return;
            }

            current = written.Current is { } kv ? new Versioned<IpamHandleData>(IpamJson.DecodeHandle(kv.Value), kv.Revision) : null;
            if (written.Status is WriteStatus.AlreadyExists or WriteStatus.Conflict && current is null)
            {
                current = await ReadHandleAsync(handleId, ct).ConfigureAwait(false);
            }

            if (written.Status == WriteStatus.Conflict)
            {
                CountRetry(attempt);
            }
        }

        throw new IpamException(MaxRetriesMessage);
    }

    /// <summary>Subtracts from the handle's count for the block; deletes the handle when nothing is left.</summary>
    private async Task DecrementHandleAsync(string handleId, IPNetwork cidr, int num, Attempt attempt, CancellationToken ct)
    {
        string key = ResourceKeys.IpamHandle(handleId);
        string cidrText = IpMath.Format(cidr);
        var current = KnownHandle(attempt, handleId);
        for (int i = 0; i < MaxRetries; i++)
        {
            current ??= await ReadHandleAsync(handleId, ct).ConfigureAwait(false);
            if (current is null)
            {
                RememberHandle(attempt, handleId, null);
                return;
            }

            var data = current.Value;
            data.Block ??= new Dictionary<string, int>(StringComparer.Ordinal);
            int left = data.Block.GetValueOrDefault(cidrText) - num;
            if (left > 0)
            {
                data.Block[cidrText] = left;
            }
            else
            {
                data.Block.Remove(cidrText);
            }

            bool delete = data.Block.Count == 0;
            var written = delete
                ? await Store.DeleteAsync(key, current.Revision, ct).ConfigureAwait(false)
                : await Store.UpdateAsync(key, IpamJson.Encode(data), current.Revision, ct).ConfigureAwait(false);
            if (written.Succeeded || written.Status == WriteStatus.NotFound)
            {
                RememberHandle(attempt, handleId, written.Succeeded && !delete ? new Versioned<IpamHandleData>(data, written.Revision) : null);
                return;
            }

            current = written.Current is { } kv ? new Versioned<IpamHandleData>(IpamJson.DecodeHandle(kv.Value), kv.Revision) : null;
            CountRetry(attempt);
        }

        throw new IpamException(MaxRetriesMessage);
    }

    /// <summary>Waits for a read whose answer is no longer needed, so its failure is never unobserved.</summary>
    private static async Task IgnoreFailureAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The outcome of an abandoned read does not matter.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private static Versioned<IpamHandleData>? KnownHandle(Attempt attempt, string handleId) =>
        string.Equals(attempt.KnownHandleId, handleId, StringComparison.Ordinal) ? attempt.KnownHandle : null;

    private static void RememberHandle(Attempt attempt, string handleId, Versioned<IpamHandleData>? handle)
    {
        attempt.KnownHandleId = handleId;
        attempt.KnownHandle = handle;
    }

    /// <summary>
    /// Upstream releaseBlockAffinity: mark the affinity pendingDeletion, delete the block if empty (else drop its
    /// affinity), then delete the affinity. <paramref name="requiredSequenceNumber"/> guards against a block that changed.
    /// </summary>
    private async Task<Outcome> ReleaseBlockAffinityAsync(string host, IPNetwork cidr, bool requireEmpty, ulong? requiredSequenceNumber, Attempt attempt, CancellationToken ct)
    {
        _ = attempt;
        var aff = await ReadAffinityAsync(host, cidr, ct).ConfigureAwait(false);
        if (aff is null)
        {
            return Outcome.Missing;
        }

        var versioned = await ReadBlockAsync(cidr, ct).ConfigureAwait(false);
        if (versioned is null)
        {
            await DeleteAffinityAsync(host, cidr, aff.Revision, ct).ConfigureAwait(false);
            return Outcome.Ok;
        }

        var block = versioned.Value;
        if (requiredSequenceNumber is { } seq && seq != block.Data.SequenceNumber)
        {
            return Outcome.Conflict;
        }

        if (block.Data.Affinity is not null && !string.Equals(block.Data.Affinity, Block.HostAffinityPrefix + host, StringComparison.Ordinal))
        {
            await DeleteAffinityAsync(host, cidr, aff.Revision, ct).ConfigureAwait(false);
            return Outcome.ClaimConflict;
        }

        if (requireEmpty && !block.IsEmpty())
        {
            return Outcome.Stale;
        }

        var marked = await UpdateAffinityAsync(host, cidr, BlockAffinityData.PendingDeletion, aff.Revision, ct).ConfigureAwait(false);
        if (!marked.Succeeded)
        {
            return Outcome.Conflict;
        }

        WriteResult written;
        if (block.IsEmpty())
        {
            written = await DeleteBlockAsync(block, versioned.Revision, ct).ConfigureAwait(false);
        }
        else
        {
            block.Data.Affinity = null;
            block.Data.AffinityClaimTime = null;
            written = await UpdateBlockAsync(block, versioned.Revision, ct).ConfigureAwait(false);
        }

        if (!written.Succeeded && written.Status != WriteStatus.NotFound)
        {
            return Outcome.Conflict;
        }

        await DeleteAffinityAsync(host, cidr, marked.Revision, ct).ConfigureAwait(false);
        return Outcome.Ok;
    }

    /// <summary>
    /// Releases this host's affinity to every empty block (deleting the block), as kube-controllers does for idle
    /// blocks; returns the CIDRs released. Blocks with allocations keep their affinity.
    /// </summary>
    public async Task<IReadOnlyList<IPNetwork>> ReleaseEmptyBlocksAsync(string host, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        var attempt = new Attempt();
        var released = new List<IPNetwork>();
        foreach (int version in IpVersions)
        {
            var list = await Store.ListAsync(ResourceKeys.IpamAffinityPrefix(host, version), cancellationToken).ConfigureAwait(false);
            foreach (var kv in list.Items)
            {
                if (!ResourceKeys.TryParseIpamAffinity(kv.Key, out _, out var cidrText) || !Api.Cidr.TryParse(cidrText, out var cidr))
                {
                    continue;
                }

                for (int i = 0; i < MaxRetries; i++)
                {
                    var outcome = await ReleaseBlockAffinityAsync(host, cidr, requireEmpty: true, null, attempt, cancellationToken).ConfigureAwait(false);
                    if (outcome == Outcome.Conflict)
                    {
                        CountRetry(attempt);
                        continue;
                    }

                    if (outcome == Outcome.Ok)
                    {
                        released.Add(cidr);
                    }

                    break;
                }
            }
        }

        return released;
    }

    /// <summary>Every block (both families) with its allocations, for calicoctl ipam show/check.</summary>
    public async Task<IReadOnlyList<BlockInfo>> ListBlockInfosAsync(CancellationToken cancellationToken)
    {
        var result = new List<BlockInfo>();
        var reservations = await LoadReservationsAsync(cancellationToken).ConfigureAwait(false);
        foreach (int version in IpVersions)
        {
            foreach (var b in await ListBlocksAsync(version, cancellationToken).ConfigureAwait(false))
            {
                result.Add(ToInfo(b.Value, reservations));
            }
        }

        return result;
    }

    /// <summary>The allocation holding <paramref name="address"/>, or null when it is not allocated.</summary>
    public async Task<AllocationInfo?> GetAllocationAsync(IPAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        var pools = await ListPoolsAsync(cancellationToken).ConfigureAwait(false);
        Versioned<Block>? block = null;
        if (pools.FirstOrDefault(p => p.Cidr.Contains(address)) is { } pool)
        {
            block = await ReadBlockAsync(pool.BlockFor(address), cancellationToken).ConfigureAwait(false);
        }

        if (block is null)
        {
            var all = await ListBlocksAsync(IpMath.IsV6(address) ? 6 : 4, cancellationToken).ConfigureAwait(false);
            block = all.FirstOrDefault(b => b.Value.Cidr.Contains(address));
        }

        if (block is null)
        {
            return null;
        }

        int ordinal = block.Value.OrdinalOf(address);
        return ordinal < 0 || block.Value.Allocations[ordinal] is null ? null : ToAllocation(block.Value, ordinal);
    }

    /// <summary>Every handle and its per-block counts.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>>> ListHandlesAsync(CancellationToken cancellationToken)
    {
        var list = await Store.ListAsync(ResourceKeys.IpamHandlePrefix, cancellationToken).ConfigureAwait(false);
        var result = new SortedDictionary<string, IReadOnlyDictionary<string, int>>(StringComparer.Ordinal);
        foreach (var kv in list.Items)
        {
            var data = IpamJson.DecodeHandle(kv.Value);
            result[kv.Key[ResourceKeys.IpamHandlePrefix.Length..]] = data.Block ?? [];
        }

        return result;
    }

    private static BlockInfo ToInfo(Block block, Reservations reservations)
    {
        var allocations = new List<AllocationInfo>();
        for (int o = 0; o < block.Count; o++)
        {
            if (block.Allocations[o] is not null)
            {
                allocations.Add(ToAllocation(block, o));
            }
        }

        return new BlockInfo(block.Cidr, block.Data.Affinity, block.Count, block.NumFree(reservations), allocations);
    }

    private static AllocationInfo ToAllocation(Block block, int ordinal)
    {
        var attr = block.AttributeOf(ordinal);
        return new AllocationInfo(
            block.AddressOf(ordinal),
            block.Cidr,
            attr?.HandleId is { } h ? Block.Sanitize(h) : null,
            attr?.ActiveOwnerAttrs ?? (IReadOnlyDictionary<string, string>)new Dictionary<string, string>(),
            block.SequenceNumberOf(ordinal),
            attr?.ReleasedAt is not null);
    }
}
