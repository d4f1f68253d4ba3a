using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules;

public static partial class NftablesRenderer
{
    /// <summary>Runs before the default filter (priority 0) so our verdicts come first; our accept does not skip it.</summary>
    private static readonly NftPriority BasePriority = NftPriority.Filter.Plus(-5);

    private static readonly NftMatch EstablishedOrRelated = Match(NftField.CtState, new NftCtState(NftCtStates.Established | NftCtStates.Related));

    private static readonly NftMatch Invalid = Match(NftField.CtState, new NftCtState(NftCtStates.Invalid));

    private static void AddBaseChains(List<NftChain> chains, RenderContext ctx, HostEndpointSelection heps, bool ipip = false, bool kernelNatMark = false)
    {
        NftInterfaceName wl = ctx.WorkloadWildcard;
        var fromWorkload = Match(NftField.IifName, wl);
        var toWorkload = Match(NftField.OifName, wl);
        bool hasHostEndpoints = heps.Any;

        var forward = new List<NftRule>();
        if (kernelNatMark)
        {
            forward.Add(KernelNatMarkRule(ctx));
        }

        forward.AddRange(
        [
            Rule(EstablishedOrRelated, Counter, NftVerdict.Accept),
            Rule(fromWorkload, Invalid, Counter, NftVerdict.Drop),
            Rule(toWorkload, Invalid, Counter, NftVerdict.Drop),
        ]);
        if (hasHostEndpoints)
        {
            // The accept mark can only come from an untracked or preDNAT Allow (raw-PREROUTING cleared it first): such a
            // packet skips the host endpoint's forward ingress policy, as upstream; workload policy still applies.
            forward.Add(Rule(Counter, MarkAnd(ctx.ClearPass)));
            forward.Add(Rule(MarkIs(ctx.Accept, 0), Counter, NftVerdict.Jump(NftNames.FromHostEndpointForwardDispatch)));
        }
        else
        {
            forward.Add(Rule(Counter, MarkAnd(ctx.ClearAcceptAndPass)));
        }

        forward.Add(Rule(fromWorkload, Counter, NftVerdict.Jump(NftNames.FromWorkloadDispatch)));
        forward.Add(Rule(toWorkload, Counter, NftVerdict.Jump(NftNames.ToWorkloadDispatch)));
        if (hasHostEndpoints)
        {
            forward.Add(Rule(Counter, NftVerdict.Jump(NftNames.ToHostEndpointForwardDispatch)));
        }

        forward.Add(Commented("Policy explicitly accepted packet.", MarkIs(ctx.Accept, ctx.Accept), Counter, NftVerdict.Accept));
        chains.Add(Chain("filter-FORWARD", forward, BaseHeader(NftHook.Forward)));

        var input = new List<NftRule>
        {
            Rule(EstablishedOrRelated, Counter, NftVerdict.Accept),
            Rule(fromWorkload, Invalid, Counter, NftVerdict.Drop),
            Rule(fromWorkload, Counter, NftVerdict.Goto(NftNames.WorkloadToHost)),
        };
        if (hasHostEndpoints)
        {
            input.Add(Commented("Untracked or preDNAT host endpoint policy accepted packet", ctx.AcceptIsSet, Counter, NftVerdict.Accept));

            // Interfaces without a host endpoint miss the map and fall through to the chain's accept policy, unless an
            // all-interfaces host endpoint takes them (lo included, as upstream).
            input.Add(Rule(new NftVerdictMap(NftField.IifName, NftNames.FromHostEndpointDispatch)));
            if (heps.All is not null)
            {
                input.Add(Commented("All-interfaces host endpoint", Counter, NftVerdict.Goto(NftNames.FromHostEndpointChain("*"))));
            }
        }

        if (ipip)
        {
            AddIpipInputRules(input, ctx.Config);
        }

        chains.Add(Chain("filter-INPUT", input, BaseHeader(NftHook.Input)));

        var output = new List<NftRule>();
        if (kernelNatMark)
        {
            output.Add(KernelNatMarkRule(ctx));
        }

        output.Add(Rule(EstablishedOrRelated, Counter, NftVerdict.Accept));
        if (hasHostEndpoints)
        {
            output.Add(Commented("Untracked host endpoint policy accepted packet", ctx.AcceptIsSet, Counter, NftVerdict.Accept));
        }

        // Also why an all-interfaces host endpoint's egress policy never sees traffic to local workloads.
        output.Add(Commented("Host to workload traffic is not subject to workload policy", toWorkload, Counter, NftVerdict.Accept));
        if (ipip)
        {
            output.Add(IpipOutputRule());
        }
        if (hasHostEndpoints)
        {
            output.Add(Rule(new NftVerdictMap(NftField.OifName, NftNames.ToHostEndpointDispatch)));
            if (heps.All is not null)
            {
                output.Add(Commented("All-interfaces host endpoint", Counter, NftVerdict.Goto(NftNames.ToHostEndpointChain("*"))));
            }
        }

        chains.Add(Chain("filter-OUTPUT", output, BaseHeader(NftHook.Output)));

        NftVerdict defaultAction = ctx.Config.DefaultEndpointToHostAction switch
        {
            EndpointToHostAction.Accept => NftVerdict.Accept,
            EndpointToHostAction.Return => NftVerdict.Return,
            _ => NftVerdict.Drop,
        };
        chains.Add(Chain(NftNames.WorkloadToHost, [
            Commented(
                "Allow IPv6 neighbour discovery and MLD to the host",
                Match(NftField.MetaNfproto, NftNfproto.Ipv6),
                Match(NftField.Icmpv6Type, new NftAnonymousSet([new NftNumber(130), new NftNumber(131), new NftNumber(132), new NftNumber(133), new NftNumber(135), new NftNumber(136)])),
                Counter,
                NftVerdict.Accept),
            Rule(Counter, NftVerdict.Jump(NftNames.FromWorkloadDispatch)),
            Commented("Configured DefaultEndpointToHostAction", Counter, defaultAction),
        ]));
    }

    private static NftChainHeader BaseHeader(NftHook hook) => new(NftChainType.Filter, hook, BasePriority);

    private static void AddDispatchChains(List<NftChain> chains, RenderContext ctx)
    {
        if (ctx.Config.WorkloadPolicyInBpf)
        {
            // The programs dropped unknown interfaces and denied traffic already: what is here was allowed.
            NftRule allowedByBpf = Commented("Workload policy enforced by the eBPF programs", Counter, ctx.SetAcceptMark, NftVerdict.Return);
            chains.Add(Chain(NftNames.FromWorkloadDispatch, [allowedByBpf]));
            chains.Add(Chain(NftNames.ToWorkloadDispatch, [allowedByBpf]));
            return;
        }

        chains.Add(Chain(NftNames.FromWorkloadDispatch, [
            Rule(new NftVerdictMap(NftField.IifName, NftNames.FromWorkloadDispatch)),
            Commented("Unknown interface", Counter, NftVerdict.Drop),
        ]));
        chains.Add(Chain(NftNames.ToWorkloadDispatch, [
            Rule(new NftVerdictMap(NftField.OifName, NftNames.ToWorkloadDispatch)),
            Commented("Unknown interface", Counter, NftVerdict.Drop),
        ]));
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

    private static NftChain RenderEndpointChain(RenderContext ctx, string chain, EndpointIntent endpoint, bool inbound, string? failsafe) =>
        RenderEndpointChain(ctx, chain, endpoint, endpoint.Tiers, inbound, failsafe, EndpointChainKind.Normal);

    /// <summary>
    /// An endpoint chain of any kind: <see cref="EndpointChainKind.Normal"/> ends with the profiles and a drop; the host
    /// endpoint kinds render only their tiers (forward: with end-of-tier drops, and an allow when no policy applies in
    /// the direction, as upstream's <c>cali-fhfw-</c>/<c>cali-thfw-</c>; preDNAT and untracked: never an end-of-tier drop,
    /// what no policy decides returns unmarked).
    /// </summary>
    private static NftChain RenderEndpointChain(RenderContext ctx, string chain, EndpointIntent endpoint, IReadOnlyList<TierIntent> tiers, bool inbound, string? failsafe, EndpointChainKind kind)
    {
        var rules = new List<NftRule> { ctx.ClearMarksRule };
        if (failsafe is not null)
        {
            // Failsafe ports accept before any policy, so a bad host endpoint policy cannot lock the operator out.
            ref NftRule? jump = ref SharedRule(ctx, "jump " + failsafe);
            jump ??= Rule(Counter, NftVerdict.Jump(failsafe));
            rules.Add(jump);
        }

        bool anyPolicy = false;
        foreach (TierIntent tier in tiers)
        {
            IReadOnlyList<PolicyKey> policies = inbound ? tier.IngressPolicies : tier.EgressPolicies;
            if (policies.Count == 0)
            {
                continue;
            }

            anyPolicy = true;

            ref NftRule? start = ref SharedRule(ctx, "start of tier " + tier.Name);
            start ??= Commented("Start of tier " + tier.Name, Counter, MarkAnd(ctx.ClearPass));
            rules.Add(start);
            if (ctx.Merge is not null)
            {
                AppendMergedTier(rules, ctx, policies, inbound);
            }
            else
            {
                foreach (PolicyKey key in policies)
                {
                    if (ctx.State.Policies.ContainsKey(key))
                    {
                        AppendPolicyJump(rules, ctx, key, inbound);
                    }
                }
            }

            if (tier.DefaultAction != RuleAction.Pass && kind is EndpointChainKind.Normal or EndpointChainKind.Forward)
            {
                ref NftRule? end = ref SharedRule(ctx, EndOfTierKey(ctx, tier.Name, inbound));
                end ??= EndOfTierDrop(ctx, tier.Name, inbound);
                rules.Add(end);
            }
            else if (kind is EndpointChainKind.Normal or EndpointChainKind.Forward && EndOfTierPass(ctx, tier.Name, inbound) is { } pass)
            {
                rules.Add(pass);
            }
        }

        if (kind != EndpointChainKind.Normal)
        {
            return HostEndpointKindChain(ctx, chain, endpoint, rules, inbound, kind, anyPolicy);
        }

        foreach (string profileId in endpoint.ProfileIds)
        {
            if (!ctx.State.Profiles.ContainsKey(profileId))
            {
                continue;
            }

            string profileChain = NftNames.ProfileChain(profileId, inbound);
            ref NftRule? jump = ref SharedRule(ctx, "jump " + profileChain);
            jump ??= Rule(Counter, NftVerdict.Jump(profileChain));
            rules.Add(jump);
            ref NftRule? accepted = ref SharedRule(ctx, "profile accepted");
            accepted ??= Commented("Return if profile accepted", ctx.AcceptIsSet, Counter, NftVerdict.Return);
            rules.Add(accepted);
        }

        rules.Add(NoProfileMatchedDrop(ctx, inbound));
        string direction = endpoint.Key.IsHostEndpoint
            ? (inbound ? "from host endpoint " : "to host endpoint ")
            : (inbound ? "to endpoint " : "from endpoint ");
        return Chain(chain, rules, note: direction + endpoint.Key.ToString());
    }

    private static void AddPolicyChains(List<NftChain> result, RenderContext ctx)
    {
        var chains = new List<(string Chain, string Note, IReadOnlyList<RuleModel> Rules, FlowLogOwner? Owner)>();
        var reused = new List<NftChain>();
        var rendered = new List<(PolicyKey Key, PolicyIntent Intent)>();
        foreach (var (key, policy) in ctx.State.Policies)
        {
            if (policy.Staged is not null)
            {
                continue; // staged: never enforced, never rendered (only the pending trace evaluates it)
            }

            if (ctx.HostEndpointPolicies is { } used && !used.Policies.Contains(key))
            {
                continue; // BPF mode: only host endpoints jump to policy chains
            }

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
            chains.Add((NftNames.PolicyChain(key, inbound: true), "policy " + id + " ingress", policy.InboundRules, PolicyFlowLogOwner(ctx, key, policy, inbound: true)));
            chains.Add((NftNames.PolicyChain(key, inbound: false), "policy " + id + " egress", policy.OutboundRules, PolicyFlowLogOwner(ctx, key, policy, inbound: false)));
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
        var chains = new List<(string Chain, string Note, IReadOnlyList<RuleModel> Rules, FlowLogOwner? Owner)>();
        var reused = new List<NftChain>();
        var rendered = new List<(string Id, ProfileIntent Intent)>();
        foreach (var (id, profile) in ctx.State.Profiles)
        {
            if (ctx.HostEndpointPolicies is { } used && !used.Profiles.Contains(id))
            {
                continue; // BPF mode: only host endpoints jump to profile chains
            }

            if (ctx.Cache is { } cache && cache.Profiles.TryGetValue(id, out var hit) && ReferenceEquals(hit.Intent, profile) && ReferenceEquals(hit.Config, ctx.Config))
            {
                reused.Add(hit.In);
                reused.Add(hit.Out);
                continue;
            }

            chains.Add((NftNames.ProfileChain(id, inbound: true), "profile " + id + " inbound", profile.InboundRules, ProfileFlowLogOwner(ctx, id, inbound: true)));
            chains.Add((NftNames.ProfileChain(id, inbound: false), "profile " + id + " outbound", profile.OutboundRules, ProfileFlowLogOwner(ctx, id, inbound: false)));
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

    private static void AddRuleChains(List<NftChain> result, RenderContext ctx, List<(string Chain, string Note, IReadOnlyList<RuleModel> Rules, FlowLogOwner? Owner)> chains, bool sort = true)
    {
        if (sort)
        {
            chains.Sort(static (a, b) => string.CompareOrdinal(a.Chain, b.Chain));
        }

        foreach (var (chain, note, rules, owner) in chains)
        {
            var rendered = new List<NftRule>(rules.Count);
            for (int i = 0; i < rules.Count; i++)
            {
                AppendRule(rendered, ctx, rules[i], FlowLog(owner, rules[i].Index, rules[i].Action));
            }

            result.Add(Chain(chain, rendered, note: note));
        }
    }
}
