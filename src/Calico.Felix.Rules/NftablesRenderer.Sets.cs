using Calico.Api;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules;

public static partial class NftablesRenderer
{
    /// <summary>
    /// Every IP set becomes two nft sets, one per family (an inet table still types set elements by family), both
    /// always present so rules may reference either. Net sets are interval sets whose members are made disjoint
    /// (<see cref="CidrCollapse"/>): the graph mixes endpoint /32s with network-set CIDRs that may contain them.
    /// </summary>
    /// <param name="only">In BPF mode, the sets the rendered (host endpoint) rules read; null: every set.</param>
    private static void AddIpSets(List<NftSet> sets, DataplaneState state, RenderCache? cache, HashSet<string>? only = null)
    {
        var ids = new List<string>(only is null ? state.IpSets.Keys : state.IpSets.Keys.Where(only.Contains));
        ids.Sort(StringComparer.Ordinal);
        foreach (string id in ids)
        {
            long version = state.IpSetVersion(id);
            if (cache is not null && version != 0 && cache.IpSets.TryGetValue(id, out var cached) && cached.Version == version)
            {
                sets.Add(cached.V4);
                sets.Add(cached.V6);
                continue;
            }

            var (type, members) = state.IpSets[id];
            var v4 = new HashSet<string>(StringComparer.Ordinal);
            var v6 = new HashSet<string>(StringComparer.Ordinal);
            foreach (string member in members)
            {
                var (family, element) = type == IpSetType.Net ? Cidr.Normalize(member) : NamedPortElement(id, member);
                (family == 4 ? v4 : v6).Add(element);
            }


            string note = "IP set " + NftNames.CommentText(id);
            NftSet set4 = IpSet(NftNames.IpSet(id, 4), note, type, 4, v4);
            NftSet set6 = IpSet(NftNames.IpSet(id, 6), note, type, 6, v6);
            sets.Add(set4);
            sets.Add(set6);
            if (cache is not null && version != 0)
            {
                cache.IpSets[id] = (version, set4, set6);
            }
        }
    }

    private static NftSet IpSet(string name, string? note, IpSetType type, int family, HashSet<string> elements)
    {
        NftDataType addr = family == 4 ? NftDataType.Ipv4Addr : NftDataType.Ipv6Addr;
        if (type == IpSetType.Net)
        {
            return new NftSet(name, NftSetType.Of(addr, interval: true), note, PrefixElements(CidrCollapse.Collapse(elements)));
        }

        var items = new List<NftElement>(elements.Count);
        foreach (string element in elements)
        {
            items.Add(NamedPortItem(element));
        }

        return new NftSet(name, new NftSetType([addr, NftDataType.InetProto, NftDataType.InetService]), note, items);
    }

    internal static List<NftElement> PrefixElements(List<string> normalized)
    {
        var items = new List<NftElement>(normalized.Count);
        foreach (string cidr in normalized)
        {
            items.Add(new NftElement(NftPrefix.Parse(cidr)));
        }

        return items;
    }

    /// <summary>"10.0.0.1 . tcp . 80" (validated by <see cref="NamedPortElement"/>) as a typed element.</summary>
    private static NftElement NamedPortItem(string element)
    {
        string[] parts = element.Split(" . ");
        if (!NftProtocol.TryParse(parts[1], out NftProtocol? protocol))
        {
            throw new ValidationException($"error with field protocol = '{parts[1]}' (unknown protocol)");
        }

        return new NftElement(new NftConcatenation([NftPrefix.Parse(parts[0]), protocol!, new NftPortRange(int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture))]));
    }

    /// <summary>"10.0.0.1,tcp:80" becomes "10.0.0.1 . tcp . 80".</summary>
    private static (int Family, string Element) NamedPortElement(string id, string member)
    {
        int comma = member.LastIndexOf(',');
        int colon = member.LastIndexOf(':');
        if (comma <= 0 || colon <= comma + 1 || colon == member.Length - 1)
        {
            throw new ValidationException($"error with field ipSets[{id}] = '{member}' (want ip,protocol:port)");
        }

        string address = member[..comma];
        string protocol = member[(comma + 1)..colon];
        string port = member[(colon + 1)..];
        int family = Cidr.FamilyOf(address);
        if (family == 0 || !IsKnownPortProtocol(protocol) || !ushort.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            throw new ValidationException($"error with field ipSets[{id}] = '{member}' (want ip,protocol:port)");
        }

        return (family, Cidr.Normalize(address).Text + " . " + protocol + " . " + port);
    }

    private static bool IsKnownPortProtocol(string protocol) =>
        protocol is "tcp" or "udp" or "sctp" or "udplite";
}
