using System.Collections.Immutable;
using System.Globalization;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Bpf;

/// <summary>
/// Merges runs of a linearised table, as the nftables renderer merges rule runs: the first Allow or Deny that matches
/// decides, so a maximal run of consecutive <em>simple</em> rules with one verdict is a union, and becomes one rule
/// whose match is a lookup in the run's trie (<see cref="BpfRuleRun"/>); a long run is cut into content-defined chunks
/// (<see cref="RuleRunChunker"/>), one run rule each, so that a change to one rule rewrites one chunk. A run never spans a jump target (a Pass's or a
/// guard's landing rule may only start one), and jumps are renumbered. Simple: Allow or Deny of a policy's or
/// profile's rule; the remote side (source in ingress, destination in egress) in at most one set; nothing on the
/// endpoint's own side; optional protocol; destination ports only with a protocol; nothing else.
/// </summary>
internal static partial class RuleRunMerger
{
    /// <summary>A lone simple rule stays as it is: one lookup either way, and its counter stays its own.</summary>
    private const int MinimumRun = 2;

    /// <summary>A rule with nothing on the remote side: every address of either family.</summary>
    private static readonly ImmutableArray<IpSetMember> AnyAddress = [IpSetMember.Parse("0.0.0.0/0"), IpSetMember.Parse("::/0")];

    /// <param name="runReads">Collects the sets whose members the runs' entries were built from (what a cached merge depends on).</param>
    /// <param name="chunking">How runs are cut (<see cref="BpfCompileOptions.ChunkRuns"/>, <see cref="BpfCompileOptions.RunChunkLength"/>); null: the defaults.</param>
    public static ImmutableArray<FlatRule> Merge(CompileContext ctx, ImmutableArray<FlatRule> rules, bool inbound, HashSet<uint>? runReads = null, BpfCompileOptions? chunking = null) =>
        Merge(ctx, rules, inbound, runReads, chunking, previous: null, out _);

    /// <summary>
    /// As above, reusing <paramref name="previous"/> (the same table's last merge, whose runs' sets kept their members:
    /// the caller checks) where the linear rules are the same objects: their hashes, and the run rule of every chunk
    /// lying wholly in the rules shared at the start or at the end. The result is the one merging from scratch gives.
    /// </summary>
    /// <param name="memo">This merge, for the next one.</param>
    public static ImmutableArray<FlatRule> Merge(CompileContext ctx, ImmutableArray<FlatRule> rules, bool inbound, HashSet<uint>? runReads, BpfCompileOptions? chunking, MergeMemo? previous, out MergeMemo memo)
    {
        // By the table's length, not the run's: a toggled rule splits its run, and the parts must keep their chunks.
        int average = RuleRunChunker.AverageLength(rules.Length, chunking?.RunChunkLength ?? 0);
        bool chunked = chunking?.ChunkRuns ?? true;
        var shared = Shared.Between(previous is not null && previous.Average == average ? previous : null, rules);
        RuleFacts facts = Facts(ctx, rules, inbound, shared);
        // Jump targets, and where each linear rule lands (only needed, hence only filled, when some rule jumps).
        bool[]? targets = null;
        for (int k = 0; k < rules.Length; k++)
        {
            if (facts.Kinds[k] == RuleFacts.Jump)
            {
                (targets ??= new bool[rules.Length + 1])[rules[k].Jump] = true;
            }
        }

        uint[]? newIndex = targets is null ? null : new uint[rules.Length + 1];

        var chunks = new Dictionary<int, MergedChunk>(previous?.Chunks.Count ?? 0);
        var merged = ImmutableArray.CreateBuilder<FlatRule>();
        int i = 0;
        while (i < rules.Length)
        {
            int end = i + 1;
            byte kind = facts.Kinds[i];
            if (kind is RuleFacts.SimpleAllow or RuleFacts.SimpleDeny)
            {
                while (end < rules.Length && (targets is null || !targets[end]) && facts.Kinds[end] == kind)
                {
                    end++;
                }
            }

            if (end - i < MinimumRun)
            {
                newIndex?[i] = (uint)merged.Count;
                merged.Add(rules[i]);
                i++;
                continue;
            }

            if (newIndex is not null)
            {
                Array.Fill(newIndex, (uint)merged.Count, i, end - i);
            }

            // The run in content-defined chunks (RuleRunChunker), each its own run rule (a one-rule tail stays as it
            // is). Same verdict throughout: the first chunk matching decides as the whole run would.
            HashSet<uint>? emitted = null;
            for (int start = i; start < end;)
            {
                int stop = chunked ? i + RuleRunChunker.End(facts.Boundaries.AsSpan(i, end - i), start - i, average) : end;
                if (stop - start < MinimumRun)
                {
                    merged.Add(rules[start]);
                    start = stop;
                    continue;
                }

                // The same rule objects at the same place in the last merge: the same chunk (its run checked, not trusted).
                MergedChunk chunk = shared.Chunk(start, stop) is { } kept && Reuse(ctx, kept)
                    ? kept
                    : RunRule(ctx, rules.AsSpan(start, stop - start), facts.Descriptions.AsSpan(start, stop - start), inbound);
                chunks[start] = chunk.Stop == stop ? chunk : chunk with { Stop = stop };
                foreach ((uint set, _) in chunk.Reads)
                {
                    runReads?.Add(set);
                }

                // A run without entries (its sets are empty) matches nothing: left out, so every run a table names has
                // entries in the kernel (what a restarted agent reads to allocate ids above the old ones). A chunk
                // admitting what an earlier chunk of the run admits (the same definition: the same run) adds nothing.
                if (chunk.Rule is FlatRule runRule && (emitted ??= []).Add(runRule.Run))
                {
                    merged.Add(runRule);
                }

                start = stop;
            }

            i = end;
        }

        if (newIndex is not null)
        {
            newIndex[rules.Length] = (uint)merged.Count;
        }

        for (int k = 0; newIndex is not null && k < merged.Count; k++)
        {
            if (merged[k].Action is FlatAction.Goto or FlatAction.Next)
            {
                // Targets are never inside a run, so they keep their order: jumps still go forward.
                merged[k] = merged[k] with { Jump = newIndex[merged[k].Jump] };
            }
        }

        memo = new MergeMemo(rules, facts, chunks, average);
        return merged.ToImmutable();
    }

    private static bool IsSimple(FlatRule r, bool inbound)
    {
        ImmutableArray<uint> remote = inbound ? r.SrcSets : r.DstSets;
        ImmutableArray<uint> own = inbound ? r.DstSets : r.SrcSets;
        return r.Action is FlatAction.Allow or FlatAction.Deny
            && r.Origin.Kind is FlatRuleOriginKind.PolicyRule or FlatRuleOriginKind.ProfileRule
            && r.Run == 0
            && r.NotProtocol is null && r.IcmpType is null && r.IcmpCode is null && r.NotIcmpType is null && r.NotIcmpCode is null
            && r.NotSrcSets.IsEmpty && r.NotDstSets.IsEmpty && own.IsEmpty && remote.Length <= 1
            && r.SrcPorts.IsEmpty && r.NotSrcPorts.IsEmpty && r.NotDstPorts.IsEmpty
            && (r.DstPorts.IsEmpty || r.Protocol is not null);
    }

    /// <summary>
    /// What the merge needs of each rule, in arrays (a pass over 16,000 rules then reads memory in order instead of
    /// each rule object): its kind (simple Allow, simple Deny, a jump, other) and, for a simple rule, its hashes
    /// (cached per rule object): its description (what it admits, by set content key, not members: its part of a
    /// run's definition) and its boundary hash (description and origin: two rules admitting the same still differ, so
    /// a run of identical rules is chunked too). A rule the last merge had at the same place keeps its facts.
    /// </summary>
    private static RuleFacts Facts(CompileContext ctx, ImmutableArray<FlatRule> rules, bool inbound, Shared shared)
    {
        RuleFacts facts = shared.Facts(rules.Length);
        for (int i = shared.Head; i < rules.Length - shared.Tail; i++)
        {
            FlatRule r = rules[i];
            facts.Kinds[i] = RuleFacts.Other;
            if (r.Action is FlatAction.Goto or FlatAction.Next)
            {
                facts.Kinds[i] = RuleFacts.Jump;
                continue;
            }

            if (!IsSimple(r, inbound))
            {
                continue;
            }

            facts.Kinds[i] = r.Action == FlatAction.Allow ? RuleFacts.SimpleAllow : RuleFacts.SimpleDeny;

            // A rule object names its sets by id, and an id names one content key for as long as it is allocated.
            if (!ctx.Cache.Descriptors.TryGetValue(r, out RuleHashes? hash))
            {
                ImmutableArray<uint> remote = inbound ? r.SrcSets : r.DstSets;
                string descriptor = string.Join('|',
                    r.IpVersion.ToString(CultureInfo.InvariantCulture),
                    remote.IsEmpty ? "*" : ctx.Sets[remote[0]].ContentKey,
                    r.Protocol?.ToString(CultureInfo.InvariantCulture) ?? "*",
                    string.Join(',', r.DstPorts));
                UInt128 description = BinaryPrimitives.ReadUInt128LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(descriptor)));
                ulong boundary = BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(descriptor + "|" + r.Origin)));
                hash = new RuleHashes(description, boundary);
                ctx.Cache.Descriptors.AddOrUpdate(r, hash);
            }

            facts.Descriptions[i] = hash.Description;
            facts.Boundaries[i] = hash.Boundary;
        }

        return facts;
    }

    /// <summary>The chunk's run rule (null when its sets are empty), its run and port sets, and the sets it read.</summary>
    private static MergedChunk RunRule(CompileContext ctx, ReadOnlySpan<FlatRule> rules, ReadOnlySpan<UInt128> descriptions, bool inbound)
    {
        // The definition: what each rule admits, by set content key (not members), as a set: each rule's description
        // hash sorted and de-duplicated, then hashed together. Sorting fixed-size hashes rather than the descriptions
        // keeps this pass cheap on a 10,000-policy table.
        var hashes = new UInt128[rules.Length];
        var reads = new HashSet<uint>();
        for (int i = 0; i < rules.Length; i++)
        {
            ImmutableArray<uint> remote = inbound ? rules[i].SrcSets : rules[i].DstSets;
            if (!remote.IsEmpty)
            {
                reads.Add(remote[0]);
            }

            hashes[i] = descriptions[i];
        }

        Array.Sort(hashes);
        byte[] distinct = new byte[hashes.Length * 16];
        int length = 0;
        for (int i = 0; i < hashes.Length; i++)
        {
            if (i == 0 || hashes[i] != hashes[i - 1])
            {
                BinaryPrimitives.WriteUInt128LittleEndian(distinct.AsSpan(length, 16), hashes[i]);
                length += 16;
            }
        }

        string contentKey = "run:" + Convert.ToHexStringLower(SHA256.HashData(distinct.AsSpan(0, length)));
        (uint, ImmutableArray<IpSetMember>)[] readIds = [.. reads.Select(set => (set, ctx.Sets[set].Members))];
        List<BpfPortSet> portSets;
        if ((!ctx.SetIds.TryGet(contentKey, out uint known) || !ctx.Runs.TryGetValue(known, out BpfRuleRun? run)) && (run = CachedRun(ctx, contentKey)) is null)
        {
            // Entries first: a run without entries takes no id (nothing holds it, nothing would retain its key).
            ImmutableArray<BpfRunEntry> entries = Entries(ctx, rules, inbound);
            if (entries.IsEmpty)
            {
                return new MergedChunk(0, null, null, [], readIds);
            }

            uint id = ctx.SetIds.IdFor(contentKey);
            ctx.RunsBuilt++;
            run = new BpfRuleRun(id, contentKey, entries);
            ctx.Runs.Add(id, run);
            portSets = PortSetsOf(ctx, run);
            ctx.Cache.Runs[contentKey] = new CachedRun(run, portSets, [.. readIds]) { LastUsed = ctx.Cache.Generation };
        }
        else if (ctx.Cache.Runs.TryGetValue(contentKey, out CachedRun? kept) && ReferenceEquals(kept.Run, run))
        {
            kept.LastUsed = ctx.Cache.Generation;
            portSets = kept.PortSets;
        }
        else
        {
            portSets = PortSetsOf(ctx, run);
        }

        var rule = new FlatRule
        {
            Action = rules[0].Action,
            Run = run.Id,
            RunOnDestination = !inbound,
            RunAnyProtocol = run.Entries.Any(static e => e.Protocol == BpfMapLayout.RunAnyProtocol),
            Origin = new FlatRuleOrigin(FlatRuleOriginKind.MergedRun, rules[0].Origin + " .. " + rules[^1].Origin, rules.Length),
        };
        return new MergedChunk(0, rule, run, portSets, readIds);
    }


    private static List<BpfPortSet> PortSetsOf(CompileContext ctx, BpfRuleRun run)
    {
        var portSets = new List<BpfPortSet>();
        var seen = new HashSet<uint>();
        foreach (BpfRunEntry entry in run.Entries)
        {
            if (entry.PortSet != 0 && seen.Add(entry.PortSet))
            {
                portSets.Add(ctx.PortSets[entry.PortSet]);
            }
        }

        return portSets;
    }

    /// <summary>
    /// Takes the last merge's chunk into this compilation as <see cref="RunRule"/> would have built it: its run and
    /// port sets still have their ids (checked without allocating), then added as a cached run is; false if not.
    /// </summary>
    private static bool Reuse(CompileContext ctx, MergedChunk chunk)
    {
        if (chunk.Run is not { } run)
        {
            ctx.ChunksKept++;
            return true; // it had no entries: its sets' members are what they were (the caller checked), still none
        }

        if (!ctx.SetIds.TryGet(run.ContentKey, out uint id) || id != run.Id)
        {
            return false;
        }

        foreach (BpfPortSet portSet in chunk.PortSets)
        {
            if (!ctx.SetIds.TryGet(portSet.ContentKey, out uint portSetId) || portSetId != portSet.Id)
            {
                return false;
            }
        }

        if (ctx.Runs.TryAdd(run.Id, run))
        {
            ctx.RunsReused++;
            foreach (BpfPortSet portSet in chunk.PortSets)
            {
                ctx.PortSets.TryAdd(portSet.Id, portSet);
            }
        }

        if (ctx.Cache.Runs.TryGetValue(run.ContentKey, out CachedRun? kept) && ReferenceEquals(kept.Run, run))
        {
            kept.LastUsed = ctx.Cache.Generation;
        }

        ctx.ChunksKept++;
        return true;
    }

    /// <summary>
    /// The run an earlier compilation built for this definition, when the sets it read have the same members and its
    /// id and its port sets' ids are still allocated (checked without allocating); added to this compilation.
    /// </summary>
    private static BpfRuleRun? CachedRun(CompileContext ctx, string contentKey)
    {
        if (!ctx.Cache.Runs.TryGetValue(contentKey, out CachedRun? cached)
            || !ctx.SetIds.TryGet(contentKey, out uint id) || id != cached.Run.Id)
        {
            return null;
        }

        foreach ((uint set, ImmutableArray<IpSetMember> members) in cached.Reads)
        {
            if (!ctx.Sets.TryGetValue(set, out BpfIpSet? now) || (now.Members != members && !now.Members.AsSpan().SequenceEqual(members.AsSpan())))
            {
                return null;
            }
        }

        foreach (BpfPortSet portSet in cached.PortSets)
        {
            if (!ctx.SetIds.TryGet(portSet.ContentKey, out uint portSetId) || portSetId != portSet.Id)
            {
                return null;
            }
        }

        foreach (BpfPortSet portSet in cached.PortSets)
        {
            ctx.PortSets.TryAdd(portSet.Id, portSet);
        }

        ctx.Runs.Add(cached.Run.Id, cached.Run);
        cached.LastUsed = ctx.Cache.Generation;
        ctx.RunsReused++;
        return cached.Run;
    }

    /// <summary>
    /// The run's trie entries: per protocol key and family, every prefix with the union of the ports of the rules naming
    /// it and of every prefix containing it (the longest match answers alone); a prefix adding nothing to its container's
    /// ports is left out (the container answers the same).
    /// </summary>
    private static ImmutableArray<BpfRunEntry> Entries(CompileContext ctx, ReadOnlySpan<FlatRule> rules, bool inbound)
    {
        // (protocol key, prefix) -> ports, keyed by numbers (hashing and ordering 2,000 prefixes cheaply).
        var own = new Dictionary<PrefixKey, (IpSetMember Prefix, PortUnion Ports)>();
        foreach (FlatRule r in rules)
        {
            ImmutableArray<uint> remote = inbound ? r.SrcSets : r.DstSets;
            ImmutableArray<IpSetMember> prefixes = remote.IsEmpty ? AnyAddress : ctx.Sets[remote[0]].Members;
            ushort protocol = r.Protocol ?? BpfMapLayout.RunAnyProtocol;
            foreach (IpSetMember prefix in prefixes)
            {
                if (r.IpVersion != 0 && prefix.Family != r.IpVersion)
                {
                    continue;
                }

                var key = PrefixKey.Of(protocol, prefix);
                if (!own.TryGetValue(key, out var held))
                {
                    held = (prefix, new PortUnion());
                    own.Add(key, held);
                }

                held.Ports.Add(r.DstPorts);
            }
        }

        // By protocol key, family, address, then length (IpSetMember.Order within a protocol): a prefix comes after
        // every prefix containing it.
        var ordered = new List<KeyValuePair<PrefixKey, (IpSetMember Prefix, PortUnion Ports)>>(own);
        ordered.Sort(static (a, b) => a.Key.CompareTo(b.Key));

        var entries = ImmutableArray.CreateBuilder<BpfRunEntry>(ordered.Count);
        var portSetIds = new Dictionary<PortUnion, uint>(PortUnion.ContentComparer);
        var stack = new List<(PrefixKey Key, PortUnion Ports)>(); // the prefixes enclosing the current one
        ushort group = 0;
        int family = -1;
        foreach (var (key, (prefix, ports)) in ordered)
        {
            ushort protocol = key.Protocol;
            if (protocol != group || key.Family != family)
            {
                (group, family) = (protocol, key.Family);
                stack.Clear();
            }

            while (stack.Count > 0 && !stack[^1].Key.Contains(key))
            {
                stack.RemoveAt(stack.Count - 1);
            }

            PortUnion effective = stack.Count == 0 ? ports : ports.With(stack[^1].Ports);
            if (stack.Count == 0 || !effective.SameAs(stack[^1].Ports))
            {
                uint portSet = 0;
                if (!effective.IsAny && !portSetIds.TryGetValue(effective, out portSet))
                {
                    portSet = ctx.PortSet(effective.Ranges);
                    portSetIds.Add(effective, portSet);
                }

                entries.Add(new BpfRunEntry(protocol, prefix, portSet));
            }

            stack.Add((key, effective));
        }

        return entries.ToImmutable();
    }

    /// <summary>
    /// A run entry's key as numbers: protocol key, family, the 16 address bytes as one big-endian number (IPv4 in the
    /// top 32 bits, as the trie's keys), prefix length. Ordered as <see cref="IpSetMember.Order"/> within a protocol.
    /// </summary>
    private readonly record struct PrefixKey(ushort Protocol, int Family, UInt128 Address, int Length) : IComparable<PrefixKey>
    {
        public static PrefixKey Of(ushort protocol, IpSetMember prefix) =>
            new(protocol, prefix.Family, BinaryPrimitives.ReadUInt128BigEndian(prefix.Address), prefix.PrefixLength);

        public int CompareTo(PrefixKey other)
        {
            int c = Protocol.CompareTo(other.Protocol);
            c = c != 0 ? c : Family.CompareTo(other.Family);
            c = c != 0 ? c : Address.CompareTo(other.Address);
            return c != 0 ? c : Length.CompareTo(other.Length);
        }

        /// <summary>Whether this prefix (same protocol key and family) contains <paramref name="inner"/>.</summary>
        public bool Contains(PrefixKey inner) =>
            Family == inner.Family && Length <= inner.Length && (Length == 0 || (Address ^ inner.Address) >> (128 - Length) == UInt128.Zero);
    }

    /// <summary>A union of destination ports: any port (a rule without ports), or disjoint sorted ranges.</summary>
    private sealed class PortUnion
    {
        private List<PortRange> _ranges = [];
        private bool _sorted = true;

        /// <summary>Unions by content (any port, or the same ranges).</summary>
        public static IEqualityComparer<PortUnion> ContentComparer { get; } = new ByContent();

        public bool IsAny { get; private set; }

        /// <summary>Disjoint, sorted, adjacent ranges joined (normalised on first read after adds).</summary>
        public List<PortRange> Ranges
        {
            get
            {
                if (!_sorted)
                {
                    _ranges = Normalise(_ranges);
                    _sorted = true;
                }

                return _ranges;
            }
        }

        public void Add(ImmutableArray<PortRange> ranges)
        {
            if (ranges.IsEmpty)
            {
                IsAny = true;
                _ranges = [];
                _sorted = true;
                return;
            }

            if (!IsAny)
            {
                _ranges.AddRange(ranges);
                _sorted = false;
            }
        }

        public PortUnion With(PortUnion other)
        {
            if (IsAny || other.IsAny)
            {
                return new PortUnion { IsAny = true };
            }

            var both = new List<PortRange>(Ranges.Count + other.Ranges.Count);
            both.AddRange(Ranges);
            both.AddRange(other.Ranges);
            return new PortUnion { _ranges = Normalise(both) };
        }

        public bool SameAs(PortUnion other) =>
            IsAny == other.IsAny && CollectionsMarshal.AsSpan(Ranges).SequenceEqual(CollectionsMarshal.AsSpan(other.Ranges));

        private static List<PortRange> Normalise(List<PortRange> ranges)
        {
            ranges.Sort(static (a, b) => a.First.CompareTo(b.First));
            var result = new List<PortRange>(ranges.Count);
            foreach (PortRange range in ranges)
            {
                if (result.Count > 0 && range.First <= result[^1].Last + 1)
                {
                    result[^1] = new PortRange(result[^1].First, Math.Max(result[^1].Last, range.Last));
                }
                else
                {
                    result.Add(range);
                }
            }

            return result;
        }

        private sealed class ByContent : IEqualityComparer<PortUnion>
        {
            public bool Equals(PortUnion? x, PortUnion? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.SameAs(y));

            public int GetHashCode(PortUnion obj)
            {
                var hash = new HashCode();
                hash.Add(obj.IsAny);
                foreach (PortRange range in obj.Ranges)
                {
                    hash.Add(range);
                }

                return hash.ToHashCode();
            }
        }
    }
}
