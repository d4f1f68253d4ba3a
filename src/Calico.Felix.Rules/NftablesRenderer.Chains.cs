using System.Text;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules;

public static partial class NftablesRenderer
{
    /// <summary>Runs before the default filter (priority 0) so our verdicts come first; our accept does not skip it.</summary>
    private const string BasePriority = "filter - 5";

    private static void AddBaseChains(List<NftChain> chains, RenderContext ctx, bool hasHostEndpoints)
    {
        string wl = ctx.WorkloadWildcard;

        var sb = new StringBuilder(1024);
        Rule(sb).Append("ct state established,related counter accept\n");
        Rule(sb).Append("iifname ").Append(wl).Append(" ct state invalid counter drop\n");
        Rule(sb).Append("oifname ").Append(wl).Append(" ct state invalid counter drop\n");
        Rule(sb).Append("counter meta mark set meta mark & ").Append(ctx.ClearAcceptAndPass).Append('\n');
        Rule(sb).Append("iifname ").Append(wl).Append(" counter jump ").Append(NftNames.FromWorkloadDispatch).Append('\n');
        Rule(sb).Append("oifname ").Append(wl).Append(" counter jump ").Append(NftNames.ToWorkloadDispatch).Append('\n');
        Rule(sb).Append("meta mark & ").Append(ctx.Accept).Append(" == ").Append(ctx.Accept).Append(" counter accept");
        Comment(sb, "Policy explicitly accepted packet.");
        sb.Append('\n');
        chains.Add(Chain("filter-FORWARD", sb, BaseHeader("forward")));

        sb.Clear();
        Rule(sb).Append("ct state established,related counter accept\n");
        Rule(sb).Append("iifname ").Append(wl).Append(" ct state invalid counter drop\n");
        Rule(sb).Append("iifname ").Append(wl).Append(" counter goto ").Append(NftNames.WorkloadToHost).Append('\n');
        if (hasHostEndpoints)
        {
            // Interfaces without a host endpoint miss the map and fall through to the chain's accept policy.
            Rule(sb).Append("iifname vmap @").Append(NftNames.FromHostEndpointDispatch).Append('\n');
        }

        chains.Add(Chain("filter-INPUT", sb, BaseHeader("input")));

        sb.Clear();
        Rule(sb).Append("ct state established,related counter accept\n");
        Rule(sb).Append("oifname ").Append(wl).Append(" counter accept");
        Comment(sb, "Host to workload traffic is not subject to workload policy");
        sb.Append('\n');
        if (hasHostEndpoints)
        {
            Rule(sb).Append("oifname vmap @").Append(NftNames.ToHostEndpointDispatch).Append('\n');
        }

        chains.Add(Chain("filter-OUTPUT", sb, BaseHeader("output")));

        sb.Clear();
        Rule(sb).Append("meta nfproto ipv6 icmpv6 type { 130, 131, 132, 133, 135, 136 } counter accept");
        Comment(sb, "Allow IPv6 neighbour discovery and MLD to the host");
        sb.Append('\n');
        Rule(sb).Append("counter jump ").Append(NftNames.FromWorkloadDispatch).Append('\n');
        Rule(sb).Append("counter ").Append(ctx.Config.DefaultEndpointToHostAction switch
        {
            EndpointToHostAction.Accept => "accept",
            EndpointToHostAction.Return => "return",
            _ => "drop",
        });
        Comment(sb, "Configured DefaultEndpointToHostAction");
        sb.Append('\n');
        chains.Add(Chain(NftNames.WorkloadToHost, sb));
    }

    private static string BaseHeader(string hook) => "type filter hook " + hook + " priority " + BasePriority + "; policy accept;";

    private static void AddDispatchChains(List<NftChain> chains)
    {
        var sb = new StringBuilder(256);
        Rule(sb).Append("iifname vmap @").Append(NftNames.FromWorkloadDispatch).Append('\n');
        Rule(sb).Append("counter drop");
        Comment(sb, "Unknown interface");
        sb.Append('\n');
        chains.Add(Chain(NftNames.FromWorkloadDispatch, sb));

        sb.Clear();
        Rule(sb).Append("oifname vmap @").Append(NftNames.ToWorkloadDispatch).Append('\n');
        Rule(sb).Append("counter drop");
        Comment(sb, "Unknown interface");
        sb.Append('\n');
        chains.Add(Chain(NftNames.ToWorkloadDispatch, sb));
    }

    /// <summary>
    /// One endpoint, one direction (inbound = to the workload = ingress policy). Tiers with no policy for the
    /// direction are skipped; a policy or profile the state lacks is skipped (it can allow nothing).
    /// </summary>
    /// <summary>
    /// An endpoint chain; with a cache, the one rendered last time when its inputs are the same objects (what it adds
    /// to the build besides its text, merged sets and the policies it jumps to or merges, is replayed).
    /// </summary>
    private static NftChain EndpointChain(RenderContext ctx, string chain, EndpointIntent endpoint, bool inbound, string? failsafe)
    {
        if (ctx.Cache is not { } cache)
        {
            return RenderEndpointChain(ctx, chain, endpoint, inbound, failsafe);
        }

        ctx.EndpointChainsRendered.Add(chain);
        var inputs = EndpointChainInputs.Of(ctx, endpoint, inbound, failsafe);
        // A set that vanished under an unchanged policy is rendered afresh, which reports it as the uncached path does.
        if (cache.Endpoints.TryGetValue(chain, out EndpointChainEntry? hit) && hit.Inputs.SameAs(inputs) && hit.Chain is { } cached
            && hit.Recipes.TrueForAll(r => Array.TrueForAll(r.IpSetIds, ctx.State.IpSets.ContainsKey)))
        {
            if (ctx.Merge is { } merge)
            {
                merge.JumpedPolicies.UnionWith(hit.Jumped);
                merge.MergedPolicies.UnionWith(hit.Merged);
                foreach (Merging.MergedSetRecipe recipe in hit.Recipes)
                {
                    EnsureMergedSet(ctx, recipe);
                }
            }

            return cached;
        }

        var entry = new EndpointChainEntry(inputs);
        ctx.EndpointCapture = entry;
        try
        {
            entry.Chain = RenderEndpointChain(ctx, chain, endpoint, inbound, failsafe);
        }
        finally
        {
            ctx.EndpointCapture = null;
        }

        cache.Endpoints[chain] = entry;
        return entry.Chain;
    }

    private static NftChain RenderEndpointChain(RenderContext ctx, string chain, EndpointIntent endpoint, bool inbound, string? failsafe)
    {
        var sb = new StringBuilder(1024);
        Rule(sb).Append("counter meta mark set meta mark & ").Append(ctx.ClearAcceptAndPass).Append('\n');
        if (failsafe is not null)
        {
            // Failsafe ports accept before any policy, so a bad host endpoint policy cannot lock the operator out.
            Rule(sb).Append("counter jump ").Append(failsafe).Append('\n');
        }

        foreach (TierIntent tier in endpoint.Tiers)
        {
            IReadOnlyList<PolicyKey> policies = inbound ? tier.IngressPolicies : tier.EgressPolicies;
            if (policies.Count == 0)
            {
                continue;
            }

            Rule(sb).Append("counter meta mark set meta mark & ").Append(ctx.ClearPass);
            Comment(sb, "Start of tier " + tier.Name);
            sb.Append('\n');
            if (ctx.Merge is not null)
            {
                AppendMergedTier(sb, ctx, policies, inbound);
            }
            else
            {
                foreach (PolicyKey key in policies)
                {
                    if (ctx.State.Policies.ContainsKey(key))
                    {
                        AppendPolicyJump(sb, ctx, key, inbound);
                    }
                }
            }

            if (tier.DefaultAction != RuleAction.Pass)
            {
                Rule(sb).Append("meta mark & ").Append(ctx.Pass).Append(" == ").Append(ctx.Zero).Append(" counter drop");
                Comment(sb, "End of tier " + tier.Name + ". Drop if no policies passed packet");
                sb.Append('\n');
            }
        }

        foreach (string profileId in endpoint.ProfileIds)
        {
            if (!ctx.State.Profiles.ContainsKey(profileId))
            {
                continue;
            }

            Rule(sb).Append("counter jump ").Append(NftNames.ProfileChain(profileId, inbound)).Append('\n');
            Rule(sb).Append("meta mark & ").Append(ctx.Accept).Append(" == ").Append(ctx.Accept).Append(" counter return");
            Comment(sb, "Return if profile accepted");
            sb.Append('\n');
        }

        Rule(sb).Append("counter drop");
        Comment(sb, "Drop if no profiles matched");
        sb.Append('\n');
        string direction = endpoint.Key.IsHostEndpoint
            ? (inbound ? "from host endpoint " : "to host endpoint ")
            : (inbound ? "to endpoint " : "from endpoint ");
        return Chain(chain, sb, note: direction + endpoint.Key.ToString());
    }

    private static void AddPolicyChains(List<NftChain> result, RenderContext ctx)
    {
        var chains = new List<(string Chain, string Note, IReadOnlyList<RuleModel> Rules)>();
        var reused = new List<NftChain>();
        var rendered = new List<(PolicyKey Key, PolicyIntent Intent)>();
        foreach (var (key, policy) in ctx.State.Policies)
        {
            if (ctx.Merge is { } merge && merge.MergedPolicies.Contains(key) && !merge.JumpedPolicies.Contains(key))
            {
                // Every endpoint reaches this policy's rules through merged lookups: its chain would never run. (A
                // policy no endpoint uses still renders, so its rules are validated as without merging.)
                continue;
            }

            if (ctx.Cache is { } cache && cache.Policies.TryGetValue(key, out var hit) && ReferenceEquals(hit.Intent, policy) && ReferenceEquals(hit.Config, ctx.Config))
            {
                reused.Add(hit.In);
                reused.Add(hit.Out);
                continue;
            }

            string id = key.Kind + " " + key.ToString();
            chains.Add((NftNames.PolicyChain(key, inbound: true), "policy " + id + " ingress", policy.InboundRules));
            chains.Add((NftNames.PolicyChain(key, inbound: false), "policy " + id + " egress", policy.OutboundRules));
            rendered.Add((key, policy));
        }

        var fresh = new List<NftChain>(chains.Count);
        AddRuleChains(fresh, ctx, chains, sort: false);
        if (ctx.Cache is { } c)
        {
            for (int i = 0; i < rendered.Count; i++)
            {
                c.Policies[rendered[i].Key] = (rendered[i].Intent, ctx.Config, fresh[2 * i], fresh[2 * i + 1]);
            }
        }

        AddSortedByName(result, reused, fresh);
    }

    private static void AddProfileChains(List<NftChain> result, RenderContext ctx)
    {
        var chains = new List<(string Chain, string Note, IReadOnlyList<RuleModel> Rules)>();
        var reused = new List<NftChain>();
        var rendered = new List<(string Id, ProfileIntent Intent)>();
        foreach (var (id, profile) in ctx.State.Profiles)
        {
            if (ctx.Cache is { } cache && cache.Profiles.TryGetValue(id, out var hit) && ReferenceEquals(hit.Intent, profile) && ReferenceEquals(hit.Config, ctx.Config))
            {
                reused.Add(hit.In);
                reused.Add(hit.Out);
                continue;
            }

            chains.Add((NftNames.ProfileChain(id, inbound: true), "profile " + id + " inbound", profile.InboundRules));
            chains.Add((NftNames.ProfileChain(id, inbound: false), "profile " + id + " outbound", profile.OutboundRules));
            rendered.Add((id, profile));
        }

        var fresh = new List<NftChain>(chains.Count);
        AddRuleChains(fresh, ctx, chains, sort: false);
        if (ctx.Cache is { } c)
        {
            for (int i = 0; i < rendered.Count; i++)
            {
                c.Profiles[rendered[i].Id] = (rendered[i].Intent, ctx.Config, fresh[2 * i], fresh[2 * i + 1]);
            }
        }

        AddSortedByName(result, reused, fresh);
    }

    /// <summary>Rendered and reused chains together, in ordinal name order (the model's determinism).</summary>
    private static void AddSortedByName(List<NftChain> result, List<NftChain> reused, List<NftChain> fresh)
    {
        var all = new List<NftChain>(reused.Count + fresh.Count);
        all.AddRange(reused);
        all.AddRange(fresh);
        all.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        result.AddRange(all);
    }

    private static void AddRuleChains(List<NftChain> result, RenderContext ctx, List<(string Chain, string Note, IReadOnlyList<RuleModel> Rules)> chains, bool sort = true)
    {
        if (sort)
        {
            chains.Sort(static (a, b) => string.CompareOrdinal(a.Chain, b.Chain));
        }

        var sb = new StringBuilder(1024);
        foreach (var (chain, note, rules) in chains)
        {
            sb.Clear();
            foreach (RuleModel rule in rules)
            {
                AppendRule(sb, ctx, rule);
            }

            result.Add(Chain(chain, sb, note: note));
        }
    }
}
