namespace Calico.Felix.Rules;

public static partial class NftablesRenderer
{
    private const byte ProtocolIpip = 4;

    /// <summary>
    /// Upstream's <c>IPIPEnabled</c> (felix/calc encapsulation resolver): FelixConfiguration <c>ipipEnabled</c> when set,
    /// else whether any pool has ipipMode Always or CrossSubnet.
    /// </summary>
    public static bool IpipEnabled(RenderConfig config, NatInputs nat)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(nat);
        return config.IpipEnabled ?? nat.IpipPoolCidrs.Count > 0;
    }

    /// <summary>With IP-in-IP on, the all-hosts set the IPIP rules match (unless NAT outgoing's exclusion made it already).</summary>
    private static bool AddIpipSets(List<NftSet> sets, RenderConfig config, NatInputs nat)
    {
        if (!IpipEnabled(config, nat))
        {
            return false;
        }

        if (!sets.Exists(s => s.Name == HostSet(4)))
        {
            AddHostSets(sets, nat.HostAddresses);
        }

        return true;
    }

    /// <summary>
    /// Upstream's first rules of filter INPUT with IP-in-IP on (felix/rules/static.go): IP protocol 4 is accepted from
    /// Calico hosts (and FelixConfiguration <c>externalNodesList</c>) and dropped from anywhere else. Upstream also
    /// checks that the destination is a local address: the input hook only sees packets for this host.
    /// </summary>
    private static void AddIpipInputRules(List<NftRule> input, RenderConfig config)
    {
        var rules = new List<NftRule>(2 + config.ExternalNodesCidrs.Count)
        {
            Commented("Allow IPIP packets from Calico hosts", IsIpv4, IsIpip, Match(NftField.IpSaddr, new NftSetReference(HostSet(4))), Counter, NftVerdict.Accept),
        };
        foreach (string cidr in config.ExternalNodesCidrs)
        {
            NftPrefix prefix = NftPrefix.Parse(Cidr.Normalize(cidr).Text);
            if (prefix.Family == 4)
            {
                rules.Add(Commented("Allow IPIP packets from external nodes", IsIpv4, IsIpip, Match(NftField.IpSaddr, prefix), Counter, NftVerdict.Accept));
            }
        }

        rules.Add(Commented("Drop IPIP packets from non-Calico hosts", IsIpv4, IsIpip, Counter, NftVerdict.Drop));
        input.InsertRange(0, rules);
    }

    /// <summary>Upstream's filter OUTPUT rule with IP-in-IP on: IPIP to other Calico hosts is never blocked by host endpoint policy.</summary>
    private static NftRule IpipOutputRule() =>
        Commented("Allow IPIP packets to other Calico hosts", IsIpv4, IsIpip, Match(NftField.IpDaddr, new NftSetReference(HostSet(4))), Counter, NftVerdict.Accept);

    private static NftMatch IsIpv4 => Match(NftField.MetaNfproto, NftNfproto.Ipv4);

    private static NftMatch IsIpip => Match(NftField.MetaL4proto, NftProtocol.Numeric(ProtocolIpip));
}
