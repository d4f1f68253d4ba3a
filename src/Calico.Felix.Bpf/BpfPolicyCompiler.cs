using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Bpf;

/// <summary>
/// Compiles the calculation graph's output into the datapath's maps: per workload endpoint and direction, its tiers,
/// policies and profiles linearised into one flat rule table, with exactly the nftables renderer's semantics
/// (Calico.Felix.Rules/DESIGN.md, "Marks"): tiers with no policy in the direction are skipped; a policy's Allow and
/// Deny decide; Log counts and continues; Pass goes to the next tier's first rule (past the end-of-tier drop); a tier
/// whose default action is Deny ends with a drop; then the profiles in order (a profile's Pass goes to the next
/// profile), then a drop. Staged policies and policies or profiles the state lacks are skipped. Pure: no I/O.
/// </summary>
public static partial class BpfPolicyCompiler
{

    /// <summary>
    /// The plan for <paramref name="state"/>. Ids come from the allocators, so unchanged tables and sets keep theirs
    /// across calls; the caller retains only the plan's content keys once applied
    /// (<see cref="BpfIdAllocator.RetainOnly"/>).
    /// </summary>
    public static BpfPolicyPlan Compile(DataplaneState state, BpfCompileOptions options, BpfIdAllocator tableIds, BpfIdAllocator setIds) =>
        Compile(state, options, tableIds, setIds, new BpfCompileCache());

    /// <summary>
    /// As above, reusing what <paramref name="cache"/> holds from earlier calls with the same allocators and options:
    /// only policies, profiles and tables whose inputs changed are compiled again. The plan is the one a call without
    /// the cache would return (same ids: a cached entry is only reused when every id it names is still allocated).
    /// </summary>
    public static BpfPolicyPlan Compile(DataplaneState state, BpfCompileOptions options, BpfIdAllocator tableIds, BpfIdAllocator setIds, BpfCompileCache cache)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tableIds);
        ArgumentNullException.ThrowIfNull(setIds);
        ArgumentNullException.ThrowIfNull(cache);
        if (!RuleRunChunker.IsValidOption(options.RunChunkLength))
        {
            throw new ArgumentException($"RunChunkLength {options.RunChunkLength} is not 0 (by the run's length) or a power of two from {RuleRunChunker.SmallestAverage} to {RuleRunChunker.MaximumAverage}", nameof(options));
        }

        cache.Begin(options, tableIds, setIds);
        long revision = state.Revision;
        var ctx = ChangesSinceLastCompile(state, setIds, cache);
        var endpoints = new SortedDictionary<string, BpfEndpointEntry>(StringComparer.Ordinal);
        var tables = new Dictionary<uint, BpfRuleTable>();
        var tablesBySignature = new Dictionary<string, BpfRuleTable>(StringComparer.Ordinal);
        var stats = new TableStats();

        // Sort keys built once per endpoint (not per comparison: 10,000 endpoints).
        var keys = new List<(string SortKey, EndpointKey Key)>(state.Endpoints.Count);
        foreach (EndpointKey key in state.Endpoints.Keys)
        {
            keys.Add((SortKey(key), key));
        }

        keys.Sort(static (a, b) => string.CompareOrdinal(a.SortKey, b.SortKey));
        foreach ((_, EndpointKey key) in keys)
        {
            EndpointIntent endpoint = state.Endpoints[key];
            if (key.IsHostEndpoint)
            {
                ctx.Issues.Add(new BpfCompileIssue("host endpoint " + key, "not policed by the BPF datapath yet (its traffic is not filtered by it)"));
                continue;
            }

            if (!ValidInterfaceName(endpoint.InterfaceName))
            {
                ctx.Issues.Add(new BpfCompileIssue("workload endpoint " + key, $"interface name '{endpoint.InterfaceName}' is not usable: no entry, its traffic is dropped as from an unknown interface"));
                continue;
            }

            if (endpoints.TryGetValue(endpoint.InterfaceName!, out BpfEndpointEntry? owner))
            {
                ctx.Issues.Add(new BpfCompileIssue("workload endpoint " + key, $"interface {endpoint.InterfaceName} already belongs to {owner.Key}: the first by key wins"));
                continue;
            }

            CachedSignatures signatures = Signatures(cache, endpoint);
            BpfRuleTable ingress = Table(ctx, options, endpoint, inbound: true, signatures.Ingress, tableIds, tables, tablesBySignature, stats);
            BpfRuleTable egress = Table(ctx, options, endpoint, inbound: false, signatures.Egress, tableIds, tables, tablesBySignature, stats);
            endpoints.Add(endpoint.InterfaceName!, new BpfEndpointEntry(endpoint.InterfaceName!, key, EndpointFlags(ingress, egress), ingress.Id, egress.Id, options.DefaultEndpointToHostAction));
        }

        // Sets only merged rules named live on in their runs' entries: the trie of sets holds only what rules read.
        var usedSets = new HashSet<uint>();
        foreach (BpfRuleTable table in tables.Values)
        {
            foreach (FlatRule rule in table.Rules)
            {
                usedSets.UnionWith(rule.SrcSets);
                usedSets.UnionWith(rule.NotSrcSets);
                usedSets.UnionWith(rule.DstSets);
                usedSets.UnionWith(rule.NotDstSets);
            }
        }

        var sets = new Dictionary<uint, BpfIpSet>(usedSets.Count);
        foreach (uint id in usedSets)
        {
            sets.Add(id, ctx.Sets[id]);
        }

        cache.Sweep(ctx);
        (cache.LastState, cache.LastRevision) = (state, revision);
        cache.LastSetCount = ctx.Sets.Count;
        cache.LastFragmentCount = ctx.FragmentsCompiled + ctx.FragmentsReused;
        cache.LastCompile = new BpfCompileCacheStats(ctx.FragmentsCompiled, ctx.FragmentsReused, stats.Built, stats.Reused, ctx.RunsBuilt, ctx.RunsReused) { ChunksKept = ctx.ChunksKept, TablesFromChanges = ctx.TablesFromChanges, TablesPatched = ctx.TablesPatched };
        return new BpfPolicyPlan(endpoints, tables, sets, ctx.Runs, ctx.PortSets, ctx.Issues) { ReadSets = ctx.Sets };
    }

    /// <summary>
    /// The compilation's context, with the policies and profiles changed since the cache's last compilation when it
    /// compiled this very state object and the state's journal reaches back to it.
    /// </summary>
    private static CompileContext ChangesSinceLastCompile(DataplaneState state, BpfIdAllocator setIds, BpfCompileCache cache)
    {
        if (!ReferenceEquals(cache.LastState, state) || state.ChangesSince(cache.LastRevision) is not { } changes)
        {
            return new CompileContext(state, setIds, cache);
        }

        var policies = new HashSet<PolicyKey>();
        var profiles = new HashSet<string>(StringComparer.Ordinal);
        foreach (DataplaneStateChange change in changes)
        {
            if (change.Policy is { } key)
            {
                policies.Add(key);
            }
            else if (change.Profile is { } id)
            {
                profiles.Add(id);
            }
        }

        return new CompileContext(state, setIds, cache) { ChangedPolicies = policies, ChangedProfiles = profiles };
    }

    private sealed class TableStats
    {
        public int Built { get; set; }

        public int Reused { get; set; }
    }

    /// <summary>A workload endpoint's cali_eps flags: whether each of its tables has rules on the source port.</summary>
    private static uint EndpointFlags(BpfRuleTable ingress, BpfRuleTable egress) =>
        BpfMapLayout.EndpointWorkload
        | (ingress.UsesSourcePorts ? BpfMapLayout.EndpointIngressSourcePorts : 0)
        | (egress.UsesSourcePorts ? BpfMapLayout.EndpointEgressSourcePorts : 0);

    private static CachedSignatures Signatures(BpfCompileCache cache, EndpointIntent endpoint)
    {
        if (!cache.Signatures.TryGetValue(endpoint.Key, out CachedSignatures? cached) || !ReferenceEquals(cached.Endpoint, endpoint))
        {
            cached = new CachedSignatures(endpoint, Signature(endpoint, inbound: true), Signature(endpoint, inbound: false));
            cache.Signatures[endpoint.Key] = cached;
        }

        cached.LastUsed = cache.Generation;
        return cached;
    }

    private static string SortKey(EndpointKey key) => (key.IsHostEndpoint ? "h/" : "w/") + key.Namespace + "/" + key.Name;

    /// <summary>nft's rule for dispatchable interface names (an endpoint without one is not dispatched there either).</summary>
    private static bool ValidInterfaceName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 15)
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static string Signature(EndpointIntent endpoint, bool inbound)
    {
        var text = new StringBuilder(inbound ? "in" : "out");
        foreach (TierIntent tier in endpoint.Tiers)
        {
            text.Append("\ntier ").Append(tier.Name).Append(' ').Append(tier.DefaultAction);
            foreach (PolicyKey key in inbound ? tier.IngressPolicies : tier.EgressPolicies)
            {
                text.Append('\n').Append(key.Kind).Append(' ').Append(key.ToString());
            }
        }

        foreach (string profile in endpoint.ProfileIds)
        {
            text.Append("\nprofile ").Append(profile);
        }

        return text.ToString();
    }

    /// <summary>The table's identity: a hash of every rule's description (origins included, so counters stay per rule).</summary>
    private static string ContentKey(ImmutableArray<FlatRule> rules)
    {
        var text = new StringBuilder();
        foreach (FlatRule rule in rules)
        {
            text.Append(rule.Describe()).Append('\n');
        }

        return "table:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>The table from its fragments (<see cref="Fragments"/>: one per policy and profile in order, null where skipped).</summary>
    /// <param name="starts">Gets each place's first index in the result (where its fragment's rules begin).</param>
    private static ImmutableArray<FlatRule> Linearise(EndpointIntent endpoint, bool inbound, List<CachedFragment?> fragments, int[] starts)
    {
        int capacity = endpoint.Tiers.Count + 1;
        foreach (CachedFragment? fragment in fragments)
        {
            capacity += fragment?.Rules.Count ?? 0;
        }

        var rules = ImmutableArray.CreateBuilder<FlatRule>(capacity);
        var pendingPasses = new List<int>();
        int next = 0;
        foreach (TierIntent tier in endpoint.Tiers)
        {
            IReadOnlyList<PolicyKey> policies = inbound ? tier.IngressPolicies : tier.EgressPolicies;
            if (policies.Count == 0)
            {
                continue;
            }

            for (int i = 0; i < policies.Count; i++)
            {
                starts[next] = rules.Count;
                if (fragments[next++] is { } fragment)
                {
                    Append(rules, pendingPasses, fragment);
                }
            }

            if (tier.DefaultAction != RuleAction.Pass)
            {
                rules.Add(new FlatRule { Action = FlatAction.Deny, Origin = new FlatRuleOrigin(FlatRuleOriginKind.EndOfTier, tier.Name, -1) });
            }

            PatchPasses(rules, pendingPasses);
        }

        foreach (string profileId in endpoint.ProfileIds)
        {
            starts[next] = rules.Count;
            if (fragments[next++] is { } fragment)
            {
                Append(rules, pendingPasses, fragment);
                PatchPasses(rules, pendingPasses);
            }
        }

        rules.Add(new FlatRule { Action = FlatAction.Deny, Origin = new FlatRuleOrigin(FlatRuleOriginKind.NoProfileMatched, "", -1) });
        return rules.ToImmutable();
    }

    /// <summary>Appends a fragment: its guards' jumps are relative to its start; its Pass rules wait for their target.</summary>
    private static void Append(ImmutableArray<FlatRule>.Builder rules, List<int> pendingPasses, CachedFragment cached)
    {
        if (!cached.Jumps)
        {
            rules.AddRange(CollectionsMarshal.AsSpan(cached.Rules)); // the usual case: no rule to move or patch
            return;
        }

        uint offset = (uint)rules.Count;
        foreach (FlatRule rule in cached.Rules)
        {
            if (rule.Action == FlatAction.Goto && !rule.SkipsGroup)
            {
                pendingPasses.Add(rules.Count);
                rules.Add(rule);
            }
            else
            {
                rules.Add(rule.Action == FlatAction.Next || rule.SkipsGroup ? rule with { Jump = rule.Jump + offset } : rule);
            }
        }
    }

    /// <summary>Points the Pass rules met so far at the next rule to be added (the next tier's or profile's first).</summary>
    private static void PatchPasses(ImmutableArray<FlatRule>.Builder rules, List<int> pendingPasses)
    {
        foreach (int index in pendingPasses)
        {
            rules[index] = rules[index] with { Jump = (uint)rules.Count };
        }

        pendingPasses.Clear();
    }
}
