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
    /// pools are pools too, so they are also in the all-pools set (traffic between pools is never masqueraded).
    /// Returns whether each family has a masquerade pool.
    /// </summary>
    private static (bool V4, bool V6) AddPoolSets(List<NftSet> sets, NatInputs nat)
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
        return (masq4.Count > 0, masq6.Count > 0);
    }

    private static NftSet PoolSet(string kind, int family, HashSet<string> cidrs) =>
        new(NftNames.PoolSet(kind, family), NftSetType.Of(family == 4 ? NftDataType.Ipv4Addr : NftDataType.Ipv6Addr, interval: true),
            kind == "all" ? "IP pools" : "IP pools with natOutgoing", PrefixElements(CidrCollapse.Collapse(cidrs)));

    /// <summary>The NAT chain exists only with a masquerade pool, so a host without one registers no NAT hook.</summary>
    private static void AddNatChain(List<NftChain> chains, bool masqueradeV4, bool masqueradeV6)
    {
        if (!masqueradeV4 && !masqueradeV6)
        {
            return;
        }

        var rules = new List<NftRule>(2);
        if (masqueradeV4)
        {
            rules.Add(MasqueradeRule(4));
        }

        if (masqueradeV6)
        {
            rules.Add(MasqueradeRule(6));
        }

        chains.Add(new NftChain(NftNames.NatPostrouting, NatHeader, "NAT outgoing from IP pools with natOutgoing", rules));
    }

    private static NftRule MasqueradeRule(int family) => new(
        [
            Match(NftFields.Address(family, source: true), new NftSetReference(NftNames.PoolSet("masq", family))),
            Match(NftFields.Address(family, source: false), new NftSetReference(NftNames.PoolSet("all", family)), negated: true),
            Counter,
            new NftMasquerade(fullyRandom: true),
        ],
        "NAT outgoing");
}
