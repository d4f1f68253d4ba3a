namespace Calico.Felix.Rules;

public static partial class NftablesRenderer
{
    /// <summary>
    /// After kube-proxy's source NAT (priority srcnat), as upstream appends its POSTROUTING chain after kube-proxy's:
    /// the first NAT binding a connection gets wins, so kube-proxy's masquerade of service traffic takes precedence.
    /// </summary>
    private static readonly NftChainHeader NatHeader = new(NftChainType.Nat, NftHook.Postrouting, NftPriority.SrcNat.Plus(10));

    /// <summary>
    /// Upstream's fixed sets <c>cali4?all-ipam-pools</c> / <c>cali4?masq-ipam-pools</c>, when there is any pool. Masquerade
    /// pools are pools too, so they are also in the all-pools set (traffic between pools is never masqueraded). With
    /// <c>natOutgoingExclusions: IPPoolsAndHostIPs</c> also upstream's <c>cali4?all-hosts-net</c>, every host's address.
    /// Returns whether each family has a masquerade pool.
    /// </summary>
    private static (bool V4, bool V6) AddPoolSets(List<NftSet> sets, NatInputs nat, NatOutgoingConfig options)
    {
        if (nat.AllPoolCidrs.Count + nat.MasqueradePoolCidrs.Count == 0)
        {
            return (false, false);
        }

        var all4 = new HashSet<string>(StringComparer.Ordinal);
        var all6 = new HashSet<string>(StringComparer.Ordinal);
        var masq4 = new HashSet<string>(StringComparer.Ordinal);
        var masq6 = new HashSet<string>(StringComparer.Ordinal);
        foreach (string cidr in nat.AllPoolCidrs)
        {
            var (family, text) = Cidr.Normalize(cidr);
            (family == 4 ? all4 : all6).Add(text);
        }

        foreach (string cidr in nat.MasqueradePoolCidrs)
        {
            var (family, text) = Cidr.Normalize(cidr);
            (family == 4 ? all4 : all6).Add(text);
            (family == 4 ? masq4 : masq6).Add(text);
        }

        sets.Add(PoolSet("all", 4, all4));
        sets.Add(PoolSet("all", 6, all6));
        sets.Add(PoolSet("masq", 4, masq4));
        sets.Add(PoolSet("masq", 6, masq6));
        if (options.ExcludeHostAddresses && masq4.Count + masq6.Count > 0)
        {
            AddHostSets(sets, nat.HostAddresses);
        }

        return (masq4.Count > 0, masq6.Count > 0);
    }

    private static NftSet PoolSet(string kind, int family, HashSet<string> cidrs) =>
        new(NftNames.PoolSet(kind, family), NftSetType.Of(family == 4 ? NftDataType.Ipv4Addr : NftDataType.Ipv6Addr, interval: true),
            kind == "all" ? "IP pools" : "IP pools with natOutgoing", PrefixElements(CidrCollapse.Collapse(cidrs)));

    /// <summary>Upstream's all-hosts set name: <c>cali40all-hosts-net</c>, <c>cali60all-hosts-net</c>.</summary>
    private static string HostSet(int family) => (family == 6 ? "cali60" : "cali40") + "all-hosts-net";

    private static void AddHostSets(List<NftSet> sets, IReadOnlyList<string> addresses)
    {
        var hosts4 = new HashSet<string>(StringComparer.Ordinal);
        var hosts6 = new HashSet<string>(StringComparer.Ordinal);
        foreach (string address in addresses)
        {
            // A node's BGP address may carry its subnet (10.0.0.1/24): the set holds the address, as upstream's.
            int slash = address.IndexOf('/', StringComparison.Ordinal);
            var (family, text) = Cidr.Normalize(slash < 0 ? address : address[..slash]);
            (family == 4 ? hosts4 : hosts6).Add(text);
        }

        foreach (int family in (ReadOnlySpan<int>)[4, 6])
        {
            sets.Add(new NftSet(HostSet(family), NftSetType.Of(family == 4 ? NftDataType.Ipv4Addr : NftDataType.Ipv6Addr, interval: true),
                "Every host's address (natOutgoingExclusions IPPoolsAndHostIPs)", PrefixElements(CidrCollapse.Collapse(family == 4 ? hosts4 : hosts6))));
        }
    }

    /// <summary>The NAT chain exists only with a masquerade pool, so a host without one registers no NAT hook.</summary>
    private static void AddNatChain(List<NftChain> chains, bool masqueradeV4, bool masqueradeV6, NatOutgoingConfig options, RenderConfig? bpfNat = null)
    {
        if (!masqueradeV4 && !masqueradeV6)
        {
            return;
        }

        var rules = new List<NftRule>(7);
        if (bpfNat is not null)
        {
            rules.Add(BpfNatReturnRule(bpfNat));
        }

        if (masqueradeV4)
        {
            AddNatRules(rules, 4, options);
        }

        if (masqueradeV6)
        {
            AddNatRules(rules, 6, options);
        }

        chains.Add(new NftChain(NftNames.NatPostrouting, NatHeader, "NAT outgoing from IP pools with natOutgoing", rules));
    }

    /// <summary>
    /// Upstream's NAT outgoing chain (felix/rules/nat.go) for one family: with a port range, TCP and UDP first get a
    /// source port in it, then everything else the plain NAT. Upstream's <c>return</c> after each protocol's rule is
    /// left out: a NAT statement already ends the chain for the packets it matched.
    /// </summary>
    private static void AddNatRules(List<NftRule> rules, int family, NatOutgoingConfig options)
    {
        if (options.PortRange is { } range)
        {
            var ports = new NftPortRange(range.First, range.Last);
            rules.Add(NatOutgoingRule(family, options, NftProtocol.Named(6), ports));
            rules.Add(NatOutgoingRule(family, options, NftProtocol.Named(17), ports));
        }

        rules.Add(NatOutgoingRule(family, options, protocol: null, ports: null));
    }

    private static NftRule NatOutgoingRule(int family, NatOutgoingConfig options, NftProtocol? protocol, NftPortRange? ports)
    {
        var statements = new List<NftStatement>(8)
        {
            Match(NftFields.Address(family, source: true), new NftSetReference(NftNames.PoolSet("masq", family))),
            Match(NftFields.Address(family, source: false), new NftSetReference(NftNames.PoolSet("all", family)), negated: true),
        };
        if (options.ExcludeHostAddresses)
        {
            statements.Add(Match(NftFields.Address(family, source: false), new NftSetReference(HostSet(family)), negated: true));
        }

        if (protocol is not null)
        {
            statements.Add(Match(NftField.MetaL4proto, protocol));
        }

        if (OutgoingInterface(options.InterfaceFilter) is { } oif)
        {
            statements.Add(Match(NftField.OifName, oif));
        }

        statements.Add(Counter);
        statements.Add(family == 4 && options.SnatAddress is { } address
            ? NftNat.Snat(address, ports, NftNatFlags.FullyRandom)
            : new NftMasquerade(ports, NftNatFlags.FullyRandom));
        return new NftRule(statements, "NAT outgoing");
    }

    /// <summary>Upstream's interface filter in nft terms: a trailing <c>+</c> is nft's <c>*</c>; <c>+</c> alone is every interface.</summary>
    private static NftInterfaceName? OutgoingInterface(string filter) =>
        filter.Length == 0 || filter == "+" ? null
        : filter.EndsWith('+') ? new NftInterfaceName(filter[..^1], wildcard: true)
        : new NftInterfaceName(filter);
}
