using System.Runtime.InteropServices;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules;

/// <summary>
/// Renders the calculation graph's <see cref="DataplaneState"/> as a model of <c>table inet calico</c>
/// (<see cref="Build"/>: typed rules, sets and maps of Calico.Nftables, never text first), whole as one <c>nft -f</c>
/// transaction (<see cref="Render"/>); the change from one model to the next is planned by
/// <see cref="Planning.NftPlanner"/>. Pure and deterministic: every collection is sorted ordinally, so equal states give
/// equal models and byte-equal text.
/// </summary>
public static partial class NftablesRenderer
{
    /// <summary>The full transaction for <paramref name="state"/>, without NAT outgoing.</summary>
    public static string Render(DataplaneState state, RenderConfig config) =>
        Build(state, config, NatInputs.None).ToFullTransaction();

    public static NftTable Build(DataplaneState state, RenderConfig config, NatInputs nat) => Build(state, config, nat, cache: null);

    /// <summary>As <see cref="Build(DataplaneState, RenderConfig, NatInputs)"/>, reusing what <paramref name="cache"/> holds for unchanged inputs.</summary>
    public static NftTable Build(DataplaneState state, RenderConfig config, NatInputs nat, RenderCache? cache)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(nat);
        config.Validate();

        cache?.BindTo(state);
        var ctx = new RenderContext(state, config)
        {
            Cache = cache,
            Merge = config.MergeRuleRuns && !config.FlowLogs ? new Merging.MergeContext() : null,
            HostEndpointPolicies = config.WorkloadPolicyInBpf ? HostEndpointPolicies(state) : null,
        };
        List<(string Iface, EndpointIntent Endpoint)> workloads = SelectEndpoints(state, config, hostEndpoints: false);

        // In BPF mode the programs on the interfaces enforce workload policy: no per-endpoint chains or dispatch entries.
        List<(string Iface, EndpointIntent Endpoint)> policed = config.WorkloadPolicyInBpf ? [] : workloads;
        List<(string Iface, EndpointIntent Endpoint)> hosts = SelectEndpoints(state, config, hostEndpoints: true);

        var sets = new List<NftSet>();
        AddIpSets(sets, state, cache, ctx.HostEndpointPolicies is { } used ? SetsReadBy(state, used.Policies, used.Profiles) : null);
        var (masqueradeV4, masqueradeV6) = AddPoolSets(sets, nat, config.NatOutgoing);
        bool ipip = AddIpipSets(sets, config, nat);

        var maps = new List<NftSet>
        {
            DispatchMap(NftNames.FromWorkloadDispatch, policed, NftNames.FromWorkloadChain),
            DispatchMap(NftNames.ToWorkloadDispatch, policed, NftNames.ToWorkloadChain),
        };
        var heps = HostEndpointSelection.Of(state, hosts);
        if (heps.Any)
        {
            AddHostEndpointMaps(maps, heps);
        }

        var chains = new List<NftChain>();
        AddBaseChains(chains, ctx, heps, ipip, kernelNatMark: PoolTrafficUntracked(ctx, nat));
        NftRule? vxlanNoTrack = VxlanNoTrackRule(config, nat);
        AddSourceCheckChain(chains, ctx, workloads, heps, vxlanNoTrack, nat);
        AddNatChain(chains, masqueradeV4, masqueradeV6, config.NatOutgoing, PoolTrafficUntracked(ctx, nat) ? config : null);
        AddFloatingIpChains(chains, ctx, workloads);
        AddDispatchChains(chains, ctx);
        if (heps.Any)
        {
            AddFailsafeChains(chains, config, heps);
        }

        foreach (var (iface, endpoint) in policed)
        {
            chains.Add(EndpointChain(ctx, NftNames.FromWorkloadChain(iface), endpoint, inbound: false, failsafe: null));
            chains.Add(EndpointChain(ctx, NftNames.ToWorkloadChain(iface), endpoint, inbound: true, failsafe: null));
        }

        if (heps.Any)
        {
            AddHostEndpointChains(chains, ctx, heps, vxlanNoTrack);
        }
        else if (vxlanNoTrack is not null)
        {
            chains.Add(VxlanRawOutputChain(vxlanNoTrack));
        }

        AddPolicyChains(chains, ctx);
        AddProfileChains(chains, ctx);
        if (ctx.Merge is { } merge)
        {
            var merged = new List<NftSet>(merge.Sets.Values);
            merged.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
            sets.AddRange(merged);
        }

        cache?.Prune(state, ctx.Merge?.Sets, ctx.EndpointChainsRendered);
        return new NftTable(sets, maps, chains);
    }

    /// <summary>The policies and profiles host endpoints use (every kind of tier), whose chains BPF mode still needs.</summary>
    private static (HashSet<PolicyKey>, HashSet<string>) HostEndpointPolicies(DataplaneState state)
    {
        var policies = new HashSet<PolicyKey>();
        var profiles = new HashSet<string>(StringComparer.Ordinal);
        foreach (EndpointIntent endpoint in state.Endpoints.Values)
        {
            if (!endpoint.Key.IsHostEndpoint)
            {
                continue;
            }

            foreach (TierIntent tier in endpoint.Tiers.Concat(endpoint.ForwardTiers).Concat(endpoint.PreDnatTiers).Concat(endpoint.UntrackedTiers))
            {
                policies.UnionWith(tier.IngressPolicies);
                policies.UnionWith(tier.EgressPolicies);
            }

            profiles.UnionWith(endpoint.ProfileIds);
        }

        return (policies, profiles);
    }

    /// <summary>The IP sets (selectors, named ports) the rules of these policies and profiles read.</summary>
    private static HashSet<string> SetsReadBy(DataplaneState state, HashSet<PolicyKey> policies, HashSet<string> profiles)
    {
        var rules = new List<RuleModel>();
        foreach (PolicyKey key in policies)
        {
            if (state.Policies.TryGetValue(key, out PolicyIntent? policy))
            {
                rules.AddRange(policy.InboundRules);
                rules.AddRange(policy.OutboundRules);
            }
        }

        foreach (string id in profiles)
        {
            if (state.Profiles.TryGetValue(id, out ProfileIntent? profile))
            {
                rules.AddRange(profile.InboundRules);
                rules.AddRange(profile.OutboundRules);
            }
        }

        var sets = new HashSet<string>(StringComparer.Ordinal);
        foreach (RuleModel rule in rules)
        {
            sets.UnionWith(rule.SrcIpSetIds);
            sets.UnionWith(rule.NotSrcIpSetIds);
            sets.UnionWith(rule.DstIpSetIds);
            sets.UnionWith(rule.NotDstIpSetIds);
            sets.UnionWith(rule.SrcNamedPortIpSetIds);
            sets.UnionWith(rule.NotSrcNamedPortIpSetIds);
            sets.UnionWith(rule.DstNamedPortIpSetIds);
            sets.UnionWith(rule.NotDstNamedPortIpSetIds);
        }

        return sets;
    }

    /// <summary>The chain holding a policy's rules for one direction (inbound = ingress), as the table names it.</summary>
    public static string PolicyChainName(PolicyKey key, bool inbound) => NftNames.PolicyChain(key, inbound);

    /// <summary>
    /// Endpoints with a usable interface name, sorted by it: workload endpoints, or host endpoints with a concrete
    /// interface outside the workload prefix (the <c>*</c> HEP is chosen by <see cref="HostEndpointSelection"/>). An endpoint whose interface name
    /// nft cannot carry, or whose name an earlier endpoint (by key) already took, is left out: a workload's traffic
    /// then meets the "unknown interface" drop, a host interface's is left alone.
    /// </summary>
    private static List<(string Iface, EndpointIntent Endpoint)> SelectEndpoints(DataplaneState state, RenderConfig config, bool hostEndpoints)
    {
        var byIface = new SortedDictionary<string, EndpointIntent>(StringComparer.Ordinal);
        var keys = new List<EndpointKey>(state.Endpoints.Keys);
        keys.Sort(static (a, b) => string.CompareOrdinal(a.ToString(), b.ToString()));
        foreach (EndpointKey key in keys)
        {
            EndpointIntent endpoint = state.Endpoints[key];
            string? iface = endpoint.InterfaceName;
            if (key.IsHostEndpoint != hostEndpoints || iface is null || iface.Length > 15 || !NftNames.IsSafeName(iface))
            {
                continue;
            }

            if (hostEndpoints && iface.StartsWith(config.InterfacePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            byIface.TryAdd(iface, endpoint);
        }

        var result = new List<(string, EndpointIntent)>(byIface.Count);
        foreach (var (iface, endpoint) in byIface)
        {
            result.Add((iface, endpoint));
        }

        return result;
    }

    /// <summary>
    /// <c>ifname : verdict</c> map; entries <c>goto</c> the endpoint chain, so a chain that returns (allowed) leaves
    /// the dispatching chain too rather than falling into what follows the lookup.
    /// </summary>
    private static NftSet DispatchMap(string name, List<(string Iface, EndpointIntent Endpoint)> endpoints, Func<string, string> chainOf)
    {
        var elements = new List<NftElement>(endpoints.Count);
        foreach (var (iface, _) in endpoints)
        {
            elements.Add(new NftElement(new NftInterfaceName(iface), NftVerdict.Goto(chainOf(iface))));
        }

        return new NftSet(name, DispatchMapType, note: null, elements);
    }

    private static readonly NftSetType DispatchMapType = new([NftDataType.Ifname], mapValue: NftDataType.Verdict);

    private static NftChain Chain(string name, List<NftRule> rules, NftChainHeader? header = null, string? note = null) =>
        new(name, header, note is null ? null : NftNames.CommentText(note, 200), rules);

    /// <summary>A rule of <paramref name="statements"/>, with <paramref name="comment"/> made safe for nft.</summary>
    private static NftRule Commented(string comment, params IEnumerable<NftStatement> statements) =>
        new(statements, NftNames.CommentText(comment));

    private static NftRule Rule(params IEnumerable<NftStatement> statements) => new(statements);

    /// <summary>
    /// The slot of the render's shared rule named <paramref name="key"/> (null until the caller fills it): a rule
    /// many chains hold (a policy jump, a tier's start) is one object (see <see cref="RenderContext.SharedRules"/>).
    /// </summary>
    private static ref NftRule? SharedRule(RenderContext ctx, string key) =>
        ref CollectionsMarshal.GetValueRefOrAddDefault(ctx.SharedRules, key, out _);

    private static NftCounter Counter => NftCounter.Instance;

    private static NftMatch Match(NftField field, NftValue value, bool negated = false) => new(field, value, negated);

    private static NftMarkSet MarkAnd(uint value) => new(NftMarkOperation.And, value);

    private static NftMarkMatch MarkIs(uint mask, uint value) => new(mask, value);
}
