using System.Globalization;
using System.Net;
using Calico.Datastore;
using Calico.Ipam.Storage;

namespace Calico.Ipam;

/// <summary>Auto-assignment, block claiming and specific-address assignment (upstream ipam.go autoAssign / AssignIP).</summary>
public sealed partial class IpamClient
{
    /// <summary>Fresh re-attempts of an assignment that failed after losing races (see AutoAssignCoreAsync).</summary>
    private const int MaxContendedPasses = 8;

    private const string MaxRetriesMessage = "Max retries hit - excessive concurrent IPAM requests";

    private enum Outcome
    {
        Ok,
        Conflict,
        ClaimConflict,
        Stale,
        Missing,
    }

    private async Task<AutoAssignResult> AutoAssignCoreAsync(AutoAssignArgs args, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentException.ThrowIfNullOrEmpty(args.HandleId);
        ArgumentException.ThrowIfNullOrEmpty(args.Hostname);
        ArgumentOutOfRangeException.ThrowIfNegative(args.Num4);
        ArgumentOutOfRangeException.ThrowIfNegative(args.Num6);
        if (string.IsNullOrEmpty(args.IntendedUse))
        {
            throw new IpamException("must specify the intended use when assigning an IP");
        }

        int retries = 0;
        int contendedPasses = 0;
        for (int pass = 0; ; pass++)
        {
            // The first pass may use cached state; a failure seen through it is redone once from fresh reads, so a
            // failure is never reported from a cache (only successes, which every CAS validated, come from one).
            var attempt = new Attempt { UseCache = pass == 0 && CachingEnabled, Retries = retries };
            var (inputs, labels) = await LoadInputsAsync(args.Hostname, attempt, ct).ConfigureAwait(false);
            var v4 = new List<IPAddress>();
            var v6 = new List<IPAddress>();
            string? failure = null;
            IpamException? error = null;
            try
            {
                if (args.Num4 > 0)
                {
                    failure = await AssignFamilyAsync(4, args.Num4, args, args.IPv4Pools, inputs, labels, v4, attempt, ct).ConfigureAwait(false);
                }

                if (failure is null && args.Num6 > 0)
                {
                    failure = await AssignFamilyAsync(6, args.Num6, args, args.IPv6Pools, inputs, labels, v6, attempt, ct).ConfigureAwait(false);
                }
            }
            catch (IpamException e)
            {
                error = e;
            }

            if (failure is null && error is null)
            {
                return new AutoAssignResult(Narrow(v4), Narrow(v6)) { Retries = attempt.Retries };
            }

            // All or nothing: a partial assignment would be a leak the caller cannot see.
            await RollBackAsync(args.HandleId, v4, v6).ConfigureAwait(false);
            if (attempt.UsedCache)
            {
                InvalidateCache();
                retries = attempt.Retries;
                continue;
            }

            // An attempt that lost compare-and-swap races read the blocks while others were claiming them (pending
            // affinities, a block list from before their blocks existed): its "no space" may be wrong. Redo it from
            // fresh reads a few times, after a jittered pause that lets the concurrent claims settle.
            if (attempt.Retries > retries && contendedPasses < MaxContendedPasses)
            {
                contendedPasses++;
                retries = attempt.Retries;
                InvalidateCache();
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Next(1, 10 << Math.Min(contendedPasses, 6))), Time, ct).ConfigureAwait(false);
                continue;
            }

            if (error is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
            }

            throw new IpamException(failure!);
        }
    }

    private async Task RollBackAsync(string handleId, List<IPAddress> v4, List<IPAddress> v6)
    {
        if (v4.Count + v6.Count == 0)
        {
            return;
        }

        var options = new List<ReleaseOptions>();
        foreach (var a in v4.Concat(v6))
        {
            options.Add(new ReleaseOptions(a, handleId));
        }

        // Clean-up must run even when the caller's token has fired.
        await ReleaseAsync(options, CancellationToken.None).ConfigureAwait(false);
    }

    private static List<IPNetwork> Narrow(List<IPAddress> addresses)
    {
        var result = new List<IPNetwork>(addresses.Count);
        foreach (var a in addresses)
        {
            result.Add(new IPNetwork(a, IpMath.Bits(a)));
        }

        return result;
    }

    /// <summary>Assigns <paramref name="num"/> addresses of one family into <paramref name="assigned"/>; returns the failure message when short.</summary>
    private async Task<string?> AssignFamilyAsync(
        int version,
        int num,
        AutoAssignArgs args,
        IReadOnlyList<string> requested,
        Inputs inputs,
        IReadOnlyDictionary<string, string> labels,
        List<IPAddress> assigned,
        Attempt attempt,
        CancellationToken ct)
    {
        string host = args.Hostname;
        var config = inputs.Config;
        var reservations = inputs.Reservations;
        var usable = SelectPools(version, requested, inputs.Pools, labels, host, args.IntendedUse);

        var (affinities, affinitiesFromCache) = await ListAffinitiesAsync(host, version, attempt.UseCache, ct).ConfigureAwait(false);
        if (affinitiesFromCache)
        {
            attempt.UsedCache = true;
        }

        var affine = AffineBlocks(affinities, usable);

        int maxBlocks = args.MaxBlocksPerHost;
        if (config.MaxBlocksPerHost > 0 && maxBlocks > 0 && maxBlocks > config.MaxBlocksPerHost)
        {
            maxBlocks = config.MaxBlocksPerHost;
        }
        else if (maxBlocks == 0)
        {
            maxBlocks = config.MaxBlocksPerHost;
        }

        if (maxBlocks == 0)
        {
            maxBlocks = DefaultMaxBlocksPerHost;
        }

        int owned = affine.Count;
        var messages = new List<string>();
        var state = new ClaimState(host, version, usable, affine, reservations, config) { AffinitiesFromCache = affinitiesFromCache };
        bool blockLimitHit = false;
        for (int rounds = 0; assigned.Count < num; rounds++)
        {
            if (rounds > MaxRetries)
            {
                AddMessage(messages, MaxRetriesMessage);
                break;
            }

            state.AllowNewClaim = owned < maxBlocks;
            var found = await FindOrClaimBlockAsync(state, attempt, ct).ConfigureAwait(false);
            if (found.NeedFreshAffinities)
            {
                // Claims and block-limit decisions are made from a fresh affinity list only: walk it again.
                (affinities, _) = await ListAffinitiesAsync(host, version, useCache: false, ct).ConfigureAwait(false);
                state.RemainingAffine.Clear();
                state.RemainingAffine.AddRange(AffineBlocks(affinities, usable));
                state.AffinitiesFromCache = false;
                owned = state.RemainingAffine.Count;
                continue;
            }

            if (found.Error is { } error)
            {
                if (error == NoFreeBlocks)
                {
                    if (config.StrictAffinity)
                    {
                        AddMessage(messages, "No more free affine blocks and strict affinity enabled");
                    }
                }
                else if (error == BlockLimit)
                {
                    AddMessage(messages, $"Need to allocate an IPAM block but could not - limit of {maxBlocks} blocks reached for this node");
                    blockLimitHit = true;
                }
                else
                {
                    AddMessage(messages, error);
                }

                break;
            }

            if (found.NewlyClaimed)
            {
                owned++;
            }

            var (ips, outcome) = await AssignFromBlockAsync(found.Block!, num - assigned.Count, args.HandleId, args.Attributes, host, config.StrictAffinity || found.FromCache, reservations, config, attempt, ct, found.FromCache && Contended).ConfigureAwait(false);
            assigned.AddRange(ips);
            if (outcome != Outcome.Ok)
            {
                // The block left us (released, deleted or re-claimed): so may others, re-list next time.
                InvalidateAffinities(host, version);
            }
        }

        if (assigned.Count < num && !config.StrictAffinity && !blockLimitHit)
        {
            await BorrowAsync(version, num, args, host, usable, reservations, config, assigned, messages, attempt, ct).ConfigureAwait(false);
        }

        if (assigned.Count >= num)
        {
            return null;
        }

        var text = new System.Text.StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Assigned {assigned.Count} out of {num} requested IPv{version} addresses");
        foreach (var m in messages)
        {
            text.Append("; ").Append(m);
        }

        return text.ToString();
    }

    /// <summary>The listed affinities (key, value, revision) that fall in a usable pool, in key order.</summary>
    private static List<(IPNetwork Cidr, Versioned<BlockAffinityData> Affinity)> AffineBlocks(IReadOnlyList<KeyValue> items, List<Pool> usable)
    {
        var affine = new List<(IPNetwork, Versioned<BlockAffinityData>)>(items.Count);
        foreach (var kv in items)
        {
            if (ResourceKeys.TryParseIpamAffinity(kv.Key, out _, out var cidrText) && Api.Cidr.TryParse(cidrText, out var cidr)
                && usable.Exists(p => IpMath.Covers(p.Cidr, cidr)))
            {
                affine.Add((cidr, new Versioned<BlockAffinityData>(IpamJson.DecodeAffinity(kv.Value), kv.Revision)));
            }
        }

        return affine;
    }

    private static void AddMessage(List<string> messages, string message)
    {
        if (!messages.Contains(message))
        {
            messages.Add(message);
        }
    }

    /// <summary>Upstream determinePools + filterPoolsByUse.</summary>
    private static List<Pool> SelectPools(
        int version, IReadOnlyList<string> requested, IReadOnlyList<Pool> allPools, IReadOnlyDictionary<string, string> labels, string host, string use)
    {
        var enabled = allPools.Where(p => !p.Disabled && (p.IsV6 ? 6 : 4) == version).ToList();
        if (enabled.Count == 0)
        {
            throw new IpamException("cannot find a qualified ippool");
        }

        var matching = new List<Pool>();
        if (requested.Count > 0)
        {
            foreach (var r in requested)
            {
                var pool = FindPool(enabled, r)
                    ?? throw new IpamException($"the given pool ({(Api.Cidr.TryParse(r, out var n) ? IpMath.Format(n) : r)}) does not exist, or is not enabled");
                if (!matching.Contains(pool))
                {
                    matching.Add(pool);
                }
            }
        }
        else
        {
            foreach (var pool in enabled)
            {
                if (!pool.Manual && pool.SelectsNode(labels))
                {
                    matching.Add(pool);
                }
            }
        }

        if (matching.Count == 0)
        {
            throw new IpamException($"no configured Calico pools for node {host}");
        }

        var allowed = matching.Where(p => p.Allows(use)).ToList();
        return allowed.Count > 0
            ? allowed
            : throw new IpamException($"cannot find a qualified ippool, no pools match the required use ({use})");
    }

    private static Pool? FindPool(IReadOnlyList<Pool> pools, string nameOrCidr)
    {
        bool isCidr = Api.Cidr.TryParse(nameOrCidr, out var cidr);
        foreach (var p in pools)
        {
            if ((isCidr && p.Cidr.Equals(cidr)) || string.Equals(p.Name, nameOrCidr, StringComparison.Ordinal))
            {
                return p;
            }
        }

        return null;
    }

    private const string NoFreeBlocks = "No Free Blocks";
    private const string BlockLimit = "cannot allocate new block due to per host block limit";

    private sealed class ClaimState(
        string host, int version, List<Pool> pools, List<(IPNetwork Cidr, Versioned<BlockAffinityData> Affinity)> affine, Reservations reservations, IpamConfig config)
    {
        public string Host { get; } = host;

        public string Affinity { get; } = Block.HostAffinityPrefix + host;

        public int Version { get; } = version;

        public List<Pool> Pools { get; } = pools;

        /// <summary>Affine blocks not tried yet, with the affinity as listed.</summary>
        public List<(IPNetwork Cidr, Versioned<BlockAffinityData> Affinity)> RemainingAffine { get; } = affine;

        /// <summary>The affinity list came from the cache: no claim or limit decision may be made from it.</summary>
        public bool AffinitiesFromCache { get; set; }

        public Reservations Reservations { get; } = reservations;

        public IpamConfig Config { get; } = config;

        public bool AllowNewClaim { get; set; } = true;
    }

    private sealed record Found(Versioned<Block>? Block, bool NewlyClaimed, string? Error)
    {
        public bool NeedFreshAffinities { get; init; }

        /// <summary>The block came from the cache: it must still be ours when written (a re-claim by another host is a miss, not a borrow).</summary>
        public bool FromCache { get; init; }
    }

    /// <summary>Upstream findOrClaimBlock: an affine block with space, else claim a new one (pending, create block, confirmed).</summary>
    private async Task<Found> FindOrClaimBlockAsync(ClaimState s, Attempt attempt, CancellationToken ct)
    {
        if (attempt.UseCache && TakeCachedAffineBlock(s) is { } cached)
        {
            attempt.UsedCache = true;
            return new Found(cached, false, null) { FromCache = true };
        }

        while (s.RemainingAffine.Count > 0)
        {
            var (cidr, listed) = s.RemainingAffine[0];
            s.RemainingAffine.RemoveAt(0);
            if (s.Reservations.MatchesWholeCidr(cidr))
            {
                continue;
            }

            // The listed affinity stands in for a read: every write below is a CAS on its revision, and a conflict re-reads.
            Versioned<BlockAffinityData>? aff = listed;
            for (int i = 0; i < MaxRetries && aff is not null; i++)
            {
                var (block, outcome) = await BlockFromAffinityAsync(s.Host, cidr, aff, s.Config, attempt, ct).ConfigureAwait(false);
                if (outcome == Outcome.Conflict)
                {
                    CountRetry(attempt);
                    aff = await ReadAffinityAsync(s.Host, cidr, ct).ConfigureAwait(false);
                    continue;
                }

                if (outcome == Outcome.Ok && block!.Value.NumFree(s.Reservations) >= 1)
                {
                    return new Found(block, false, null);
                }

                break;
            }
        }

        if (s.AffinitiesFromCache)
        {
            return new Found(null, false, null) { NeedFreshAffinities = true };
        }

        if (!s.AllowNewClaim)
        {
            return new Found(null, false, BlockLimit);
        }

        if (!s.Config.AutoAllocateBlocks)
        {
            return new Found(null, false, "failed to find or claim a block");
        }

        // Claiming writes this host's affinities: the cached list is out of date whatever happens next.
        InvalidateAffinities(s.Host, s.Version);
        string lastProblem = MaxRetriesMessage;
        for (int i = 0; i < MaxRetries; i++)
        {
            var subnet = await FindUsableBlockAsync(s, attempt, ct).ConfigureAwait(false);
            if (subnet is not { } cidr)
            {
                return new Found(null, false, NoFreeBlocks);
            }

            for (int j = 0; j < MaxRetries; j++)
            {
                var pending = await PendingAffinityAsync(s.Host, cidr, ct).ConfigureAwait(false);
                if (pending is null)
                {
                    CountRetry(attempt);
                    continue;
                }

                var (block, outcome) = await BlockFromAffinityAsync(s.Host, cidr, pending, s.Config, attempt, ct).ConfigureAwait(false);
                if (outcome == Outcome.Conflict)
                {
                    CountRetry(attempt);
                    continue;
                }

                if (outcome != Outcome.Ok)
                {
                    break; // Another host owns it, or our affinity was stale: pick another block.
                }

                int free = block!.Value.NumFree(s.Reservations);
                if (free >= 1)
                {
                    return new Found(block, true, null);
                }

                // Another allocator of this host claimed the block from under us and has already filled it: a lost
                // race, not a lack of space. Look again: the next listing shows the block as taken.
                lastProblem = $"Block '{IpMath.Format(cidr)}' has {free} free ips which is less than 1 ips required.";
                break;
            }

            CountRetry(attempt);
        }

        return new Found(null, false, lastProblem);
    }

    /// <summary>
    /// The fast path: a block this client wrote within <see cref="CacheValidity"/>, still listed as a confirmed
    /// affinity of the host, still ours and with space as last written. It skips the affinity and block reads; the
    /// block write is a CAS on the cached revision, so if anything changed the write fails and returns what is there.
    /// </summary>
    private Versioned<Block>? TakeCachedAffineBlock(ClaimState s)
    {
        for (int k = 0; k < s.RemainingAffine.Count; k++)
        {
            var (cidr, aff) = s.RemainingAffine[k];
            if ((aff.Value.State != BlockAffinityData.Confirmed && aff.Value.State.Length != 0) || s.Reservations.MatchesWholeCidr(cidr))
            {
                continue;
            }

            if (TakeCachedBlock(cidr) is { } block
                && string.Equals(block.Value.Data.Affinity, s.Affinity, StringComparison.Ordinal)
                && block.Value.NumFree(s.Reservations) >= 1)
            {
                s.RemainingAffine.RemoveAt(k);
                return block;
            }
        }

        return null;
    }

    /// <summary>Upstream getPendingAffinity: create the affinity as pending, or mark an unconfirmed one pending. Null on a lost race.</summary>
    private async Task<Versioned<BlockAffinityData>?> PendingAffinityAsync(string host, IPNetwork cidr, CancellationToken ct)
    {
        var created = await CreateAffinityAsync(host, cidr, BlockAffinityData.Pending, ct).ConfigureAwait(false);
        if (created.Succeeded)
        {
            return new Versioned<BlockAffinityData>(new BlockAffinityData { State = BlockAffinityData.Pending }, created.Revision);
        }

        if (created.Status != WriteStatus.AlreadyExists || created.Current is null)
        {
            return null;
        }

        var existing = IpamJson.DecodeAffinity(created.Current.Value);
        // Already pending: another allocator of this host is mid-claim. Re-marking it would only bump the revision
        // and fail that claimer's confirm (a livelock when many allocators of one host claim at once); confirming on
        // its revision is as safe, since whichever confirm loses re-reads and finds it confirmed.
        if (existing.State is BlockAffinityData.Confirmed or BlockAffinityData.Pending)
        {
            return new Versioned<BlockAffinityData>(existing, created.Current.Revision);
        }

        var updated = await UpdateAffinityAsync(host, cidr, BlockAffinityData.Pending, created.Current.Revision, ct).ConfigureAwait(false);
        return updated.Succeeded ? new Versioned<BlockAffinityData>(new BlockAffinityData { State = BlockAffinityData.Pending }, updated.Revision) : null;
    }

    /// <summary>Upstream getBlockFromAffinity: the block behind an affinity, creating it when missing and confirming a pending claim.</summary>
    private async Task<(Versioned<Block>? Block, Outcome Outcome)> BlockFromAffinityAsync(
        string host, IPNetwork cidr, Versioned<BlockAffinityData> aff, IpamConfig config, Attempt attempt, CancellationToken ct)
    {
        string affinity = Block.HostAffinityPrefix + host;
        var block = await ReadBlockAsync(cidr, ct).ConfigureAwait(false);
        if (block is null)
        {
            long affRevision = aff.Revision;
            if (aff.Value.State != BlockAffinityData.Pending)
            {
                var pend = await UpdateAffinityAsync(host, cidr, BlockAffinityData.Pending, aff.Revision, ct).ConfigureAwait(false);
                if (!pend.Succeeded)
                {
                    return (null, Outcome.Conflict);
                }

                affRevision = pend.Revision;
            }

            return await ClaimAffineBlockAsync(host, cidr, affRevision, attempt, ct).ConfigureAwait(false);
        }

        if (!string.Equals(block.Value.Data.Affinity, affinity, StringComparison.Ordinal))
        {
            var deleted = await DeleteAffinityAsync(host, cidr, aff.Revision, ct).ConfigureAwait(false);
            return (null, deleted.Succeeded || deleted.Status == WriteStatus.NotFound ? Outcome.Stale : Outcome.Conflict);
        }

        if (aff.Value.State != BlockAffinityData.Confirmed && aff.Value.State.Length != 0)
        {
            var pend = aff.Value.State == BlockAffinityData.Pending
                ? new WriteResult(WriteStatus.Ok, aff.Revision, null)
                : await UpdateAffinityAsync(host, cidr, BlockAffinityData.Pending, aff.Revision, ct).ConfigureAwait(false);
            if (!pend.Succeeded)
            {
                return (null, Outcome.Conflict);
            }

            // Touch the block so a concurrent release of this affinity (which CASes on the block) fails and re-reads.
            block.Value.GarbageCollect(config.IpCooldownSeconds, Time.GetUtcNow());
            var touched = await UpdateBlockAsync(block.Value, block.Revision, ct).ConfigureAwait(false);
            if (!touched.Succeeded)
            {
                return (null, Outcome.Conflict);
            }

            var confirmed = await UpdateAffinityAsync(host, cidr, BlockAffinityData.Confirmed, pend.Revision, ct).ConfigureAwait(false);
            if (!confirmed.Succeeded)
            {
                return (null, Outcome.Conflict);
            }

            block = block with { Revision = touched.Revision };
        }

        return (block, Outcome.Ok);
    }

    /// <summary>Upstream claimAffineBlock: create the block with our affinity, then confirm the pending affinity.</summary>
    private async Task<(Versioned<Block>? Block, Outcome Outcome)> ClaimAffineBlockAsync(
        string host, IPNetwork cidr, long affRevision, Attempt attempt, CancellationToken ct)
    {
        string affinity = Block.HostAffinityPrefix + host;
        var fresh = Block.Create(cidr, affinity, Time.GetUtcNow());
        var created = await CreateBlockAsync(fresh, ct).ConfigureAwait(false);
        Versioned<Block> result;
        if (created.Succeeded)
        {
            result = new Versioned<Block>(fresh, created.Revision);
        }
        else if (created.Status == WriteStatus.AlreadyExists && created.Current is { } current)
        {
            var existing = new Block(IpamJson.DecodeBlock(current.Value));
            if (!string.Equals(existing.Data.Affinity, affinity, StringComparison.Ordinal))
            {
                await DeleteAffinityAsync(host, cidr, affRevision, ct).ConfigureAwait(false);
                return (null, Outcome.ClaimConflict);
            }

            result = new Versioned<Block>(existing, current.Revision);
        }
        else
        {
            return (null, Outcome.Conflict);
        }

        var confirmed = await UpdateAffinityAsync(host, cidr, BlockAffinityData.Confirmed, affRevision, ct).ConfigureAwait(false);
        if (!confirmed.Succeeded)
        {
            var now = await ReadAffinityAsync(host, cidr, ct).ConfigureAwait(false);
            if (now?.Value.State != BlockAffinityData.Confirmed)
            {
                CountRetry(attempt);
                return (null, Outcome.Conflict);
            }
        }

        return (result, Outcome.Ok);
    }

    /// <summary>
    /// Upstream findUsableBlock: the first block CIDR (in this host's order) that does not exist yet or is ours with
    /// space; else reclaim an empty block another host has held for over a minute.
    /// </summary>
    private async Task<IPNetwork?> FindUsableBlockAsync(ClaimState s, Attempt attempt, CancellationToken ct)
    {
        if (s.Pools.Count == 0)
        {
            throw new IpamException($"no configured Calico pools for host:{s.Host}");
        }

        var existing = new Dictionary<IPNetwork, Versioned<Block>>();
        foreach (var b in await ListBlocksAsync(s.Version, ct).ConfigureAwait(false))
        {
            existing[b.Value.Cidr] = b;
        }

        var empties = new List<Versioned<Block>>();
        foreach (var pool in s.Pools)
        {
            foreach (var subnet in pool.BlocksFrom(s.Host))
            {
                if (s.Reservations.MatchesWholeCidr(subnet))
                {
                    continue;
                }

                if (!existing.TryGetValue(subnet, out var info))
                {
                    return subnet;
                }

                info.Value.GarbageCollect(s.Config.IpCooldownSeconds, Time.GetUtcNow());
                int free = info.Value.NumFree(s.Reservations);
                if (string.Equals(info.Value.Data.Affinity, s.Affinity, StringComparison.Ordinal) && free != 0)
                {
                    return subnet;
                }

                if (free != 0 && info.Value.IsEmpty() && info.Value.Host is not null)
                {
                    empties.Add(info);
                }
            }
        }

        var now = Time.GetUtcNow();
        foreach (var empty in empties)
        {
            if (empty.Value.Data.AffinityClaimTime is { } claimed
                && DateTimeOffset.TryParse(claimed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                && now - at < EmptyBlockMinReclaimAge)
            {
                continue;
            }

            var released = await ReleaseBlockAffinityAsync(empty.Value.Host!, empty.Value.Cidr, requireEmpty: true, empty.Value.Data.SequenceNumber, attempt, ct).ConfigureAwait(false);
            if (released == Outcome.Ok)
            {
                return empty.Value.Cidr;
            }
        }

        return null;
    }

    /// <summary>
    /// Upstream assignFromExistingBlock: take addresses, count them on the handle, CAS the block. A lost CAS retries
    /// on the value the failed write returned (no extra read) while keeping the handle count, which stays at least the
    /// number of addresses this call can commit; what is not committed in the end is taken off the handle again.
    /// </summary>
    private async Task<(List<IPAddress> Ips, Outcome Outcome)> AssignFromBlockAsync(
        Versioned<Block> versioned,
        int num,
        string handleId,
        IReadOnlyDictionary<string, string> attrs,
        string host,
        bool affinityCheck,
        Reservations reservations,
        IpamConfig config,
        Attempt attempt,
        CancellationToken ct,
        bool refreshBeforeWrite = false)
    {
        var cidr = versioned.Value.Cidr;
        int counted = 0;
        var outcome = Outcome.Conflict;
        Versioned<Block>? current = versioned;
        if (refreshBeforeWrite)
        {
            // The cached copy names the block and how much it may hold; count the handle first, then read the block
            // just before writing it.
            counted = Math.Max(1, Math.Min(num, versioned.Value.NumFree(reservations)));
            await IncrementHandleAsync(handleId, cidr, counted, attempt, ct).ConfigureAwait(false);
            current = await ReadBlockAsync(cidr, ct).ConfigureAwait(false);
        }

        for (int i = 0; i < MaxRetries; i++)
        {
            if (current is null)
            {
                outcome = Outcome.Missing;
                break;
            }

            var block = current.Value;
            if (affinityCheck && (block.Data.Affinity is null || !string.Equals(block.Data.Affinity, Block.HostAffinityPrefix + host, StringComparison.Ordinal)))
            {
                outcome = Outcome.Stale;
                break;
            }

            block.GarbageCollect(config.IpCooldownSeconds, Time.GetUtcNow());
            var ips = block.AutoAssign(counted > 0 ? Math.Min(num, counted) : num, handleId, attrs, reservations);
            if (ips.Count == 0)
            {
                outcome = Outcome.Ok;
                break;
            }

            if (counted == 0)
            {
                await IncrementHandleAsync(handleId, cidr, ips.Count, attempt, ct).ConfigureAwait(false);
                counted = ips.Count;
            }

            var written = await UpdateBlockAsync(block, current.Revision, ct).ConfigureAwait(false);
            if (written.Succeeded)
            {
                CacheBlock(block, written.Revision);
                if (counted > ips.Count)
                {
                    await DecrementHandleAsync(handleId, cidr, counted - ips.Count, attempt, CancellationToken.None).ConfigureAwait(false);
                }

                return (ips, Outcome.Ok);
            }

            CountRetry(attempt);
            NoteContention();
            if (written.Status == WriteStatus.NotFound)
            {
                current = null;
            }
            else if (i == 0 && written.Current is { } kv)
            {
                // The first loss may only be a stale cached copy: retry at once on what the failed write returned.
                current = DecodeBlock(kv);
            }
            else
            {
                // Lost to a concurrent writer again: back off with jitter so contenders spread out, then read afresh.
                await BackoffAsync(i, ct).ConfigureAwait(false);
                current = await ReadBlockAsync(cidr, ct).ConfigureAwait(false);
            }
        }

        if (counted > 0)
        {
            await DecrementHandleAsync(handleId, cidr, counted, attempt, CancellationToken.None).ConfigureAwait(false);
        }

        return ([], outcome);
    }

    /// <summary>Upstream's borrowing pass: take free addresses from existing blocks of the pools, whoever they are affine to.</summary>
    private async Task BorrowAsync(
        int version,
        int num,
        AutoAssignArgs args,
        string host,
        List<Pool> pools,
        Reservations reservations,
        IpamConfig config,
        List<IPAddress> assigned,
        List<string> messages,
        Attempt attempt,
        CancellationToken ct)
    {
        var existing = await ListBlocksAsync(version, ct).ConfigureAwait(false);
        var exhausted = new List<string>();
        foreach (var pool in pools)
        {
            var inPool = new Dictionary<IPNetwork, Versioned<Block>>();
            foreach (var b in existing)
            {
                if (IpMath.Covers(pool.Cidr, b.Value.Cidr))
                {
                    inPool[b.Value.Cidr] = b;
                }
            }

            // Walk the host's order over the blocks that exist (a non-existent block has nothing to borrow).
            int visited = 0;
            foreach (var cidr in pool.BlocksFrom(host))
            {
                if (assigned.Count >= num || visited == inPool.Count)
                {
                    break;
                }

                if (!inPool.TryGetValue(cidr, out var block))
                {
                    continue;
                }

                visited++;
                if (reservations.MatchesWholeCidr(cidr))
                {
                    continue;
                }

                var (ips, _) = await AssignFromBlockAsync(block, num - assigned.Count, args.HandleId, args.Attributes, host, false, reservations, config, attempt, ct).ConfigureAwait(false);
                assigned.AddRange(ips);
            }

            if (assigned.Count < num)
            {
                exhausted.Add(pool.CidrText);
            }
        }

        if (exhausted.Count > 0)
        {
            AddMessage(messages, $"No IPs available in pools: [{string.Join(' ', exhausted)}]");
        }
    }

    private async Task AssignIpCoreAsync(AssignIpArgs args, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentException.ThrowIfNullOrEmpty(args.HandleId);
        ArgumentException.ThrowIfNullOrEmpty(args.Hostname);
        var attempt = new Attempt();
        var pools = await ListPoolsAsync(ct).ConfigureAwait(false);
        var pool = pools.FirstOrDefault(p => !p.Disabled && p.Cidr.Contains(args.Address))
            ?? throw new IpamException("The provided IP address is not in a configured pool");
        if (args.IntendedUse is { Length: > 0 } use && !pool.Allows(use))
        {
            throw new IpamException(
                $"IP address {args.Address} is in IP pool \"{pool.Name}\", which is not allowed for use \"{use}\" (allowedUses: [{string.Join(' ', pool.AllowedUses)}])");
        }

        var config = await GetConfigAsync(ct).ConfigureAwait(false);
        var cidr = pool.BlockFor(args.Address);
        string affinity = Block.HostAffinityPrefix + args.Hostname;
        for (int i = 0; i < MaxRetries; i++)
        {
            var block = await ReadBlockAsync(cidr, ct).ConfigureAwait(false);
            if (block is null)
            {
                var pending = await PendingAffinityAsync(args.Hostname, cidr, ct).ConfigureAwait(false);
                if (pending is null)
                {
                    CountRetry(attempt);
                    continue;
                }

                var (claimed, outcome) = await BlockFromAffinityAsync(args.Hostname, cidr, pending, config, attempt, ct).ConfigureAwait(false);
                if (outcome != Outcome.Ok)
                {
                    CountRetry(attempt);
                    continue;
                }

                block = claimed!;
            }

            var b = block.Value;
            if (config.StrictAffinity && b.Data.Affinity is not null && !string.Equals(b.Data.Affinity, affinity, StringComparison.Ordinal))
            {
                throw new IpamException("Block host affinity does not match");
            }

            b.GarbageCollect(config.IpCooldownSeconds, Time.GetUtcNow());
            if (!b.Assign(b.OrdinalOf(args.Address), args.HandleId, args.Attributes))
            {
                throw new IpamException($"Address already assigned in block: {args.Address}");
            }

            await IncrementHandleAsync(args.HandleId, cidr, 1, attempt, ct).ConfigureAwait(false);
            var written = await UpdateBlockAsync(b, block.Revision, ct).ConfigureAwait(false);
            if (written.Succeeded)
            {
                return;
            }

            await DecrementHandleAsync(args.HandleId, cidr, 1, attempt, CancellationToken.None).ConfigureAwait(false);
            CountRetry(attempt);
        }

        throw new IpamException(MaxRetriesMessage);
    }
}
