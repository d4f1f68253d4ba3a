using System.Text;
using Calico.Api;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules;

public static partial class NftablesRenderer
{
    /// <summary>
    /// Every IP set becomes two nft sets, one per family (an inet table still types set elements by family), both
    /// always present so rules may reference either. Net sets are interval sets with auto-merge: the graph mixes
    /// endpoint /32s with network-set CIDRs that may contain them.
    /// </summary>
    private static void AppendIpSets(StringBuilder sb, DataplaneState state)
    {
        var ids = new List<string>(state.IpSets.Keys);
        ids.Sort(StringComparer.Ordinal);
        var v4 = new SortedSet<string>(StringComparer.Ordinal);
        var v6 = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string id in ids)
        {
            var (type, members) = state.IpSets[id];
            v4.Clear();
            v6.Clear();
            foreach (string member in members)
            {
                var (family, element) = type == IpSetType.Net ? Cidr.Normalize(member) : NamedPortElement(id, member);
                (family == 4 ? v4 : v6).Add(element);
            }

            AppendSet(sb, NftNames.IpSet(id, 4), id, type, 4, v4);
            AppendSet(sb, NftNames.IpSet(id, 6), id, type, 6, v6);
        }
    }

    private static void AppendSet(StringBuilder sb, string name, string id, IpSetType type, int family, SortedSet<string> elements)
    {
        string addr = family == 4 ? "ipv4_addr" : "ipv6_addr";
        sb.Append("\t# IP set ").Append(NftNames.CommentText(id)).Append('\n');
        sb.Append("\tset ").Append(name).Append(" {\n");
        if (type == IpSetType.Net)
        {
            sb.Append("\t\ttype ").Append(addr).Append("\n\t\tflags interval\n\t\tauto-merge\n");
        }
        else
        {
            sb.Append("\t\ttype ").Append(addr).Append(" . inet_proto . inet_service\n");
        }

        if (elements.Count > 0)
        {
            sb.Append("\t\telements = {\n");
            int i = 0;
            foreach (string element in elements)
            {
                sb.Append("\t\t\t").Append(element).Append(++i < elements.Count ? ",\n" : "\n");
            }

            sb.Append("\t\t}\n");
        }

        sb.Append("\t}\n\n");
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
