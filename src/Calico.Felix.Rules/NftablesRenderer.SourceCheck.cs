using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules;

public static partial class NftablesRenderer
{
    /// <summary>
    /// Before conntrack (priority raw), as upstream's <c>rpfilter</c> rule in the raw table: a packet checked only after
    /// <c>ct state established accept</c> could ride on another pod's flow (a spoofed DNS answer matches the reply
    /// direction of the victim's query), so the check runs for every packet, tracked or not.
    /// </summary>
    private static readonly NftChainHeader RawHeader = new(NftChainType.Filter, NftHook.Prerouting, NftPriority.Raw);

    /// <summary>
    /// Anti-spoofing for workload traffic, both families, in our own table (not only the IPv4 <c>rp_filter</c> sysctl,
    /// which has no IPv6 twin): a packet from a <c>cali*</c> interface is dropped unless the route back to its source
    /// leaves through that same interface (<c>fib saddr . iif oif missing</c>, a strict reverse-path check). The host
    /// routes each local workload address (/32, /128) to its interface, so a workload may use exactly its own addresses;
    /// another pod's (local: routed to another interface; remote: to the tunnel or uplink), the node's (local route)
    /// or an unrouted one all fail. A family the workload has no address of fails too, except link-local sources
    /// (fe80::/64 is routed to every interface), so IPv6 neighbour discovery and MLD with the host keep working; the
    /// unspecified source <c>::</c> (duplicate address detection) is let through, as it can impersonate no one.
    /// With <see cref="RenderConfig.AllowWorkloadSourceSpoofing"/>, an endpoint's <c>allowSpoofedSourcePrefixes</c>
    /// are accepted first (this chain only; policy still applies).
    /// </summary>
    private static void AddSourceCheckChain(List<NftChain> chains, RenderContext ctx, List<(string Iface, EndpointIntent Endpoint)> workloads, HostEndpointSelection heps, NftRule? vxlanNoTrack, NatInputs nat)
    {
        var rules = new List<NftRule>();
        if (heps.Any)
        {
            // Only our own rules may have set the accept mark that later chains honour (see NftablesRenderer.HostEndpointKinds).
            rules.Add(Rule(Counter, MarkAnd(ctx.ClearAcceptAndPass)));
        }

        if (vxlanNoTrack is not null)
        {
            rules.Add(vxlanNoTrack);
        }

        if (ctx.Config.AllowWorkloadSourceSpoofing)
        {
            foreach (var (iface, endpoint) in workloads)
            {
                AppendSpoofedPrefixes(rules, iface, endpoint, 4);
                AppendSpoofedPrefixes(rules, iface, endpoint, 6);
            }
        }

        NftMatch fromWorkload = Match(NftField.IifName, ctx.WorkloadWildcard);
        var reversePathMissing = new NftFib(NftFibFlags.Saddr | NftFibFlags.Iif, exists: false);
        const string Why = "Drop spoofed source: not routed back to the workload interface";
        rules.Add(Commented(Why, fromWorkload, Match(NftField.MetaNfproto, NftNfproto.Ipv4), reversePathMissing, Counter, NftVerdict.Drop));
        rules.Add(Commented(Why, fromWorkload, Match(NftField.Ip6Saddr, NftPrefix.Parse("::"), negated: true), reversePathMissing, Counter, NftVerdict.Drop));
        if (heps.HasUntracked)
        {
            // Untracked (doNotTrack) host endpoint ingress: the map's entries jump, so an Allow comes back here for notrack.
            rules.Add(Rule(new NftVerdictMap(NftField.IifName, NftNames.FromHostEndpointNoTrackDispatch)));
            rules.Add(UntrackedAllowRule(ctx));
        }

        AddBpfPoolNoTrackRules(rules, ctx, heps, nat, workloads);

        chains.Add(Chain(NftNames.RawPrerouting, rules, RawHeader, "Workload source (reverse-path) check"));
    }

    private static void AppendSpoofedPrefixes(List<NftRule> rules, string iface, EndpointIntent endpoint, int family)
    {
        if (endpoint.AllowSpoofedSourcePrefixes.Count == 0)
        {
            return;
        }

        var nets = new HashSet<string>(StringComparer.Ordinal);
        foreach (string prefix in endpoint.AllowSpoofedSourcePrefixes)
        {
            var (f, text) = Cidr.Normalize(prefix);
            if (f == family)
            {
                nets.Add(text);
            }
        }

        if (nets.Count == 0)
        {
            return;
        }

        List<string> collapsed = CidrCollapse.Collapse(nets);
        collapsed.Sort(StringComparer.Ordinal);
        NftValue prefixes = collapsed.Count == 1
            ? NftPrefix.Parse(collapsed[0])
            : new NftAnonymousSet(PrefixElements(collapsed).ConvertAll(static e => e.Key));
        rules.Add(Commented(
            "allowSpoofedSourcePrefixes of " + endpoint.Key.ToString(),
            Match(NftField.IifName, new NftInterfaceName(iface)),
            Match(NftFields.Address(family, source: true), prefixes),
            Counter,
            NftVerdict.Accept));
    }
}
