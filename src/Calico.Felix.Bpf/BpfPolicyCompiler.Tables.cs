using System.Collections.Immutable;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Bpf;

/// <summary>
/// One table per signature, from the <see cref="BpfCompileCache"/> where its inputs are unchanged: the fragments (each
/// place's cached one when its rule list is the same object), the linearised rules (when every place holds the same
/// fragment), the merged rules (when the sets its runs read kept their members and every id is still allocated).
/// </summary>
public static partial class BpfPolicyCompiler
{
    private static BpfRuleTable Table(CompileContext ctx, BpfCompileOptions options, EndpointIntent endpoint, bool inbound, string signature, BpfIdAllocator tableIds, Dictionary<uint, BpfRuleTable> tables, Dictionary<string, BpfRuleTable> bySignature, TableStats stats)
    {
        // Endpoints with the same tiers, policies and profiles share one table: built once per compilation.
        if (bySignature.TryGetValue(signature, out BpfRuleTable? known))
        {
            return known;
        }

        // The fragments, in order (as compiling them from scratch would add their sets and issues); the linear rules
        // are the cached ones when every fragment is the one they were linearised from (the signature fixes the rest).
        BpfCompileCache cache = ctx.Cache;
        cache.Tables.TryGetValue(signature, out CachedTable? cached);
        var replaced = new List<int>();
        List<CachedFragment?>? changed = cached is null ? null : ChangedFragments(ctx, endpoint, inbound, cached, replaced);
        List<CachedFragment?> fragments = changed ?? Fragments(ctx, endpoint, inbound, cached?.Fragments);
        if (cached is null)
        {
            var starts = new int[fragments.Count];
            cached = new CachedTable(fragments, Linearise(endpoint, inbound, fragments, starts)) { PlaceStarts = starts };
            cache.Tables[signature] = cached;
        }
        else if (!ReferenceEquals(cached.Fragments, fragments) && !SameFragments(cached.Fragments, fragments))
        {
            // Linearised (or patched where only same-length fragments changed) and merged again; the last merge (its
            // memo) is what the new merge reuses around the change. The uses were counted for these fragments when
            // they came from what changed, else they are counted again.
            cached.Uses = changed is null ? null : cached.Uses;
            if ((changed is null ? null : PatchedLinear(cached, fragments, replaced)) is { } patched)
            {
                cached.Linear = patched;
                ctx.TablesPatched++;
            }
            else
            {
                var starts = new int[fragments.Count];
                cached.Linear = Linearise(endpoint, inbound, fragments, starts);
                cached.PlaceStarts = starts;
            }

            cached.Fragments = fragments;
            cached.Rules = default;
        }

        cached.LastUsed = cache.Generation;
        if (cached.Rules.IsDefault || cached.Merged != options.MergeRuleRuns || (cached.Merged && !ReplayMerge(ctx, cached)))
        {
            Merge(ctx, options, cached, inbound);
            stats.Built++;
        }
        else
        {
            stats.Reused++;
        }

        ImmutableArray<FlatRule> rules = cached.Rules;
        if (rules.Length > BpfMapLayout.MaxRulesPerTable)
        {
            throw new InvalidOperationException($"{(inbound ? "ingress" : "egress")} policy of endpoint {endpoint.Key} compiles to {rules.Length} rules, more than the datapath walks ({BpfMapLayout.MaxRulesPerTable})");
        }

        uint id = tableIds.IdFor(cached.ContentKey);
        if (!tables.TryGetValue(id, out BpfRuleTable? table))
        {
            table = new BpfRuleTable(id, cached.ContentKey, rules);
            tables.Add(id, table);
        }

        bySignature.Add(signature, table);
        return table;
    }

    /// <summary>
    /// Merges the table's linear rules (or takes them as they are) and records what the merge read and named. The last
    /// merge of the table is reused where the rules are the same objects (<see cref="RuleRunMerger"/>), unless a set
    /// its runs read changed members.
    /// </summary>
    private static void Merge(CompileContext ctx, BpfCompileOptions options, CachedTable cached, bool inbound)
    {
        MergeMemo? previous = cached.Memo is not null && SameReads(ctx, cached) ? cached.Memo : null;
        cached.Runs.Clear();
        cached.PortSets.Clear();
        cached.Memo = null;
        cached.Rules = default; // until merged: a merge that throws is not taken for a valid one next time
        cached.Merged = options.MergeRuleRuns;
        if (!options.MergeRuleRuns)
        {
            cached.Rules = cached.Linear;
            cached.ContentKey = ContentKey(cached.Rules);
            return;
        }

        ImmutableArray<FlatRule> rules = RuleRunMerger.Merge(ctx, cached.Linear, inbound, runReads: null, options, previous, out MergeMemo memo);
        var runs = new HashSet<uint>();
        var portSets = new HashSet<uint>();
        foreach (MergedChunk chunk in memo.Chunks.Values)
        {
            if (chunk.Run is { } run && runs.Add(run.Id))
            {
                cached.Runs.Add(run);
                foreach (BpfPortSet portSet in chunk.PortSets)
                {
                    if (portSets.Add(portSet.Id))
                    {
                        cached.PortSets.Add(portSet);
                    }
                }
            }
        }

        cached.Memo = memo;
        cached.Rules = rules;
        cached.ContentKey = ContentKey(rules);
    }

    /// <summary>
    /// Whether every set the table's runs read that this compilation holds has the members it had (a set it no longer
    /// holds was named only by rules that changed: their chunks are merged again anyway).
    /// </summary>
    private static bool SameReads(CompileContext ctx, CachedTable cached) => ReadsHold(ctx, cached, missingHolds: true);

    /// <summary>
    /// Whether every set the table's last merge read (each chunk's, with the members its entries were built from) has
    /// those members now; a set this compilation does not hold counts as <paramref name="missingHolds"/>.
    /// </summary>
    private static bool ReadsHold(CompileContext ctx, CachedTable cached, bool missingHolds)
    {
        if (cached.Memo is null)
        {
            return true;
        }

        foreach (MergedChunk chunk in cached.Memo.Chunks.Values)
        {
            foreach ((uint set, ImmutableArray<IpSetMember> members) in chunk.Reads)
            {
                if (!ctx.Sets.TryGetValue(set, out BpfIpSet? now) ? !missingHolds : now.Members != members && !now.Members.AsSpan().SequenceEqual(members.AsSpan()))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// Whether the cached merge still holds: every set its runs read has the same members, and every run and port set
    /// it named still has its id (checked without allocating). If so, they are added as merging would add them.
    /// </summary>
    private static bool ReplayMerge(CompileContext ctx, CachedTable cached)
    {
        if (!ReadsHold(ctx, cached, missingHolds: false))
        {
            return false;
        }

        foreach (BpfRuleRun run in cached.Runs)
        {
            if (!ctx.SetIds.TryGet(run.ContentKey, out uint id) || id != run.Id)
            {
                return false;
            }
        }

        foreach (BpfPortSet portSet in cached.PortSets)
        {
            if (!ctx.SetIds.TryGet(portSet.ContentKey, out uint id) || id != portSet.Id)
            {
                return false;
            }
        }

        foreach (BpfRuleRun run in cached.Runs)
        {
            ctx.Runs.TryAdd(run.Id, run);
            if (ctx.Cache.Runs.TryGetValue(run.ContentKey, out CachedRun? kept) && ReferenceEquals(kept.Run, run))
            {
                kept.LastUsed = ctx.Cache.Generation;
            }
        }

        foreach (BpfPortSet portSet in cached.PortSets)
        {
            ctx.PortSets.TryAdd(portSet.Id, portSet);
        }

        return true;
    }

    private static bool SameFragments(List<CachedFragment?> a, List<CachedFragment?> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (int i = 0; i < a.Count; i++)
        {
            if (!ReferenceEquals(a[i], b[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Each policy's and profile's fragment in <see cref="Linearise"/>'s order; null where one is skipped. With the
    /// table's previous fragments (<paramref name="hints"/>, same signature: same places), an unchanged place costs one
    /// lookup of its intent.
    /// </summary>
    private static List<CachedFragment?> Fragments(CompileContext ctx, EndpointIntent endpoint, bool inbound, List<CachedFragment?>? hints)
    {
        var fragments = new List<CachedFragment?>(hints?.Count ?? 0);
        foreach (TierIntent tier in endpoint.Tiers)
        {
            foreach (PolicyKey key in inbound ? tier.IngressPolicies : tier.EgressPolicies)
            {
                CachedFragment? hint = hints is not null && fragments.Count < hints.Count ? hints[fragments.Count] : null;
                fragments.Add(ctx.State.Policies.TryGetValue(key, out PolicyIntent? policy) && policy.Staged is null ? ctx.PolicyFragment(key, policy, inbound, hint) : null);
            }
        }

        foreach (string profileId in endpoint.ProfileIds)
        {
            CachedFragment? hint = hints is not null && fragments.Count < hints.Count ? hints[fragments.Count] : null;
            fragments.Add(ctx.State.Profiles.TryGetValue(profileId, out ProfileIntent? profile) ? ctx.ProfileFragment(profileId, profile, inbound, hint) : null);
        }

        return fragments;
    }
}
