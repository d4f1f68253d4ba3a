using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules;

/// <summary>
/// Host endpoints of every kind and mode, upstream's chain roles in one table. The order a packet meets them:
/// <c>raw-PREROUTING</c>/<c>raw-OUTPUT</c> (priority raw, before conntrack: untracked policy, <c>cali-fhnt-</c>/<c>cali-thnt-</c>),
/// <c>mangle-PREROUTING</c> (priority mangle, before DNAT at dstnat: preDNAT policy, <c>cali-fhpd-</c>), then DNAT, then
/// the filter chains (normal policy <c>cali-fh-</c>/<c>cali-th-</c> for traffic to and from the host, applyOnForward policy
/// <c>cali-fhfw-</c>/<c>cali-thfw-</c> for forwarded traffic). An Allow of the untracked or preDNAT chains sets the accept
/// mark; the later chains accept a packet carrying it without evaluating host policy again (workload policy still
/// applies to forwarded traffic, as upstream). The raw chains clear Calico's mark bits first, so only our own rules can
/// have set them.
/// </summary>
public static partial class NftablesRenderer
{
    private static readonly NftChainHeader RawOutputHeader = new(NftChainType.Filter, NftHook.Output, NftPriority.Raw);

    /// <summary>Priority mangle (-150): after conntrack (-200), before DNAT (dstnat, -100), as upstream's mangle PREROUTING.</summary>
    private static readonly NftChainHeader PreDnatHeader = new(NftChainType.Filter, NftHook.Prerouting, new NftPriority("mangle", 0));

    /// <summary>The verdict maps of the host endpoints' dispatch (interface name to chain).</summary>
    private static void AddHostEndpointMaps(List<NftSet> maps, HostEndpointSelection heps)
    {
        maps.Add(DispatchMap(NftNames.FromHostEndpointDispatch, heps.Named, NftNames.FromHostEndpointChain));
        maps.Add(DispatchMap(NftNames.ToHostEndpointDispatch, heps.Named, NftNames.ToHostEndpointChain));
        maps.Add(DispatchMap(NftNames.FromHostEndpointForwardDispatch, heps.Named, NftNames.FromHostEndpointForwardChain));
        maps.Add(DispatchMap(NftNames.ToHostEndpointForwardDispatch, heps.Named, NftNames.ToHostEndpointForwardChain));
        if (heps.HasPreDnat)
        {
            var entries = new List<(string, NftVerdict)>();
            foreach (var (iface, endpoint) in heps.Named)
            {
                if (HostEndpointSelection.HasPolicies(endpoint.PreDnatTiers))
                {
                    entries.Add((iface, NftVerdict.Goto(NftNames.FromHostEndpointPreDnatChain(iface))));
                }
                else if (heps.AllHasPreDnat)
                {
                    // A named host endpoint wins for its interface: the all-interfaces one's preDNAT policy is not its own.
                    entries.Add((iface, NftVerdict.Accept));
                }
            }

            maps.Add(VerdictMap(NftNames.FromHostEndpointPreDnatDispatch, entries));
        }

        if (heps.HasUntracked)
        {
            var from = new List<(string, NftVerdict)>();
            var to = new List<(string, NftVerdict)>();
            foreach (var (iface, endpoint) in heps.Named)
            {
                if (HostEndpointSelection.HasPolicies(endpoint.UntrackedTiers))
                {
                    // Jump, not goto: the raw base chain turns the accept mark into notrack after the lookup.
                    from.Add((iface, NftVerdict.Jump(NftNames.FromHostEndpointNoTrackChain(iface))));
                    to.Add((iface, NftVerdict.Jump(NftNames.ToHostEndpointNoTrackChain(iface))));
                }
            }

            maps.Add(VerdictMap(NftNames.FromHostEndpointNoTrackDispatch, from));
            maps.Add(VerdictMap(NftNames.ToHostEndpointNoTrackDispatch, to));
        }
    }

    private static NftSet VerdictMap(string name, List<(string Iface, NftVerdict Verdict)> entries)
    {
        var elements = new List<NftElement>(entries.Count);
        foreach (var (iface, verdict) in entries)
        {
            elements.Add(new NftElement(new NftInterfaceName(iface), verdict));
        }

        return new NftSet(name, DispatchMapType, note: null, elements);
    }

    /// <summary>Every host endpoint chain, the forward dispatch chains, raw-OUTPUT and (with preDNAT policy) mangle-PREROUTING.</summary>
    private static void AddHostEndpointChains(List<NftChain> chains, RenderContext ctx, HostEndpointSelection heps, NftRule? vxlanNoTrack)
    {
        chains.Add(ForwardDispatchChain(NftNames.FromHostEndpointForwardDispatch, NftField.IifName, heps.All is null ? null : NftNames.FromHostEndpointForwardChain("*")));
        chains.Add(ForwardDispatchChain(NftNames.ToHostEndpointForwardDispatch, NftField.OifName, heps.All is null ? null : NftNames.ToHostEndpointForwardChain("*")));
        chains.Add(RawOutputChain(ctx, heps, vxlanNoTrack));
        if (heps.HasPreDnat)
        {
            chains.Add(PreDnatBaseChain(ctx, heps));
        }

        foreach (var (iface, endpoint) in heps.Each())
        {
            // For a host endpoint "inbound" is traffic from the interface into the host: its ingress policy.
            chains.Add(EndpointChain(ctx, NftNames.FromHostEndpointChain(iface), endpoint, inbound: true, failsafe: NftNames.FailsafeIn));
            chains.Add(EndpointChain(ctx, NftNames.ToHostEndpointChain(iface), endpoint, inbound: false, failsafe: NftNames.FailsafeOut));
            chains.Add(RenderEndpointChain(ctx, NftNames.FromHostEndpointForwardChain(iface), endpoint, endpoint.ForwardTiers, inbound: true, failsafe: null, EndpointChainKind.Forward));
            chains.Add(RenderEndpointChain(ctx, NftNames.ToHostEndpointForwardChain(iface), endpoint, endpoint.ForwardTiers, inbound: false, failsafe: null, EndpointChainKind.Forward));
            if (HostEndpointSelection.HasPolicies(endpoint.PreDnatTiers))
            {
                chains.Add(RenderEndpointChain(ctx, NftNames.FromHostEndpointPreDnatChain(iface), endpoint, endpoint.PreDnatTiers, inbound: true, NftNames.FailsafeIn, EndpointChainKind.PreDnat));
            }

            if (iface != "*" && HostEndpointSelection.HasPolicies(endpoint.UntrackedTiers))
            {
                chains.Add(RenderEndpointChain(ctx, NftNames.FromHostEndpointNoTrackChain(iface), endpoint, endpoint.UntrackedTiers, inbound: true, NftNames.FailsafeInRaw, EndpointChainKind.Untracked));
                chains.Add(RenderEndpointChain(ctx, NftNames.ToHostEndpointNoTrackChain(iface), endpoint, endpoint.UntrackedTiers, inbound: false, NftNames.FailsafeOutRaw, EndpointChainKind.Untracked));
            }
        }
    }

    /// <summary>
    /// <c>cali-from-hep-fwd-dispatch</c>/<c>cali-to-hep-fwd-dispatch</c>: the named endpoints' forward chains by interface,
    /// else the all-interfaces one's (every other interface, workload interfaces included, as upstream), else nothing.
    /// Forwarded traffic walks only applyOnForward policy: host policies without it are not in these chains.
    /// </summary>
    private static NftChain ForwardDispatchChain(string name, NftField field, string? allChain)
    {
        var rules = new List<NftRule> { Rule(new NftVerdictMap(field, name)) };
        if (allChain is not null)
        {
            rules.Add(Commented("All-interfaces host endpoint", Counter, NftVerdict.Goto(allChain)));
        }

        return Chain(name, rules);
    }

    /// <summary>
    /// raw-OUTPUT: clears Calico's marks on everything the host sends (so filter-OUTPUT can trust the accept mark), then
    /// untracked egress policy; an Allow there becomes <c>notrack</c>.
    /// </summary>
    private static NftChain RawOutputChain(RenderContext ctx, HostEndpointSelection heps, NftRule? vxlanNoTrack)
    {
        var rules = new List<NftRule> { Rule(Counter, MarkAnd(ctx.ClearAcceptAndPass)) };
        if (vxlanNoTrack is not null)
        {
            rules.Add(vxlanNoTrack);
        }

        if (heps.HasUntracked)
        {
            rules.Add(Rule(new NftVerdictMap(NftField.OifName, NftNames.ToHostEndpointNoTrackDispatch)));
            rules.Add(UntrackedAllowRule(ctx));
        }

        return Chain(NftNames.RawOutput, rules, RawOutputHeader, "Untracked host endpoint egress");
    }

    /// <summary>The raw hooks' ending: what untracked policy allowed is not tracked and is accepted (the mark stays for filter).</summary>
    private static NftRule UntrackedAllowRule(RenderContext ctx) =>
        Commented("Untracked policy accepted packet", ctx.AcceptIsSet, Counter, NftNoTrack.Instance, NftVerdict.Accept);

    /// <summary>
    /// mangle-PREROUTING: preDNAT ingress policy, before DNAT (it sees the original destination). Established flows and
    /// packets an untracked policy allowed skip it; an Allow sets the accept mark, which filter-INPUT and filter-FORWARD honour.
    /// </summary>
    private static NftChain PreDnatBaseChain(RenderContext ctx, HostEndpointSelection heps)
    {
        var rules = new List<NftRule>
        {
            Rule(EstablishedOrRelated, Counter, NftVerdict.Accept),
            Commented("Untracked policy accepted packet", ctx.AcceptIsSet, Counter, NftVerdict.Accept),
            Rule(new NftVerdictMap(NftField.IifName, NftNames.FromHostEndpointPreDnatDispatch)),
        };
        if (heps.AllHasPreDnat)
        {
            rules.Add(Commented("All-interfaces host endpoint", Counter, NftVerdict.Goto(NftNames.FromHostEndpointPreDnatChain("*"))));
        }

        return Chain(NftNames.ManglePrerouting, rules, PreDnatHeader, "preDNAT host endpoint policy");
    }

    /// <summary>The end of a forward, preDNAT or untracked host endpoint chain (no profiles, no final drop).</summary>
    private static NftChain HostEndpointKindChain(RenderContext ctx, string chain, EndpointIntent endpoint, List<NftRule> rules, bool inbound, EndpointChainKind kind, bool anyPolicy)
    {
        if (kind == EndpointChainKind.Forward && !anyPolicy)
        {
            // Upstream: a host endpoint without applyOnForward policy (for this direction) lets forwarded traffic through.
            ref NftRule? allow = ref SharedRule(ctx, "allow forwarded by default");
            allow ??= Commented("Allow forwarded traffic by default", Counter, ctx.SetAcceptMark, NftVerdict.Return);
            rules.Add(allow);
        }

        string what = kind switch
        {
            EndpointChainKind.Forward => "forwarded ",
            EndpointChainKind.PreDnat => "preDNAT ",
            _ => "untracked ",
        };
        return Chain(chain, rules, note: what + (inbound ? "from host endpoint " : "to host endpoint ") + endpoint.Key.ToString());
    }
}
