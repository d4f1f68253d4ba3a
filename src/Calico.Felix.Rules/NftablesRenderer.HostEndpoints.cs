using System.Globalization;
using System.Text;

namespace Calico.Felix.Rules;

public static partial class NftablesRenderer
{
    /// <summary>
    /// <c>cali-failsafe-in</c> (destination port, optional source net) and <c>cali-failsafe-out</c> (destination port,
    /// optional destination net), jumped to first from every host endpoint chain. Ports of one protocol and net
    /// share one rule with an anonymous set.
    /// </summary>
    private static void AddFailsafeChains(List<NftChain> chains, RenderConfig config)
    {
        chains.Add(FailsafeChain(NftNames.FailsafeIn, config.FailsafeInboundHostPorts, "saddr", "Failsafe inbound host ports"));
        chains.Add(FailsafeChain(NftNames.FailsafeOut, config.FailsafeOutboundHostPorts, "daddr", "Failsafe outbound host ports"));
    }

    private static NftChain FailsafeChain(string name, IReadOnlyList<HostPort> ports, string netField, string note)
    {
        // Key: net ("" for any) then protocol, so rules without a net come first and the order is stable.
        var groups = new SortedDictionary<(string Net, string Protocol), SortedSet<int>>(NetProtocolComparer.Instance);
        foreach (HostPort port in ports)
        {
            string net = port.Net is null ? string.Empty : Cidr.Normalize(port.Net).Text;
            if (!groups.TryGetValue((net, port.Protocol), out SortedSet<int>? numbers))
            {
                numbers = [];
                groups.Add((net, port.Protocol), numbers);
            }

            numbers.Add(port.Port);
        }

        var sb = new StringBuilder(512);
        foreach (var ((net, protocol), numbers) in groups)
        {
            if (net.Length > 0)
            {
                bool v6 = net.Contains(':', StringComparison.Ordinal);
                sb.Append(v6 ? "meta nfproto ipv6 ip6 " : "meta nfproto ipv4 ip ").Append(netField).Append(' ').Append(net).Append(' ');
            }

            sb.Append("meta l4proto ").Append(protocol).Append(" th dport ");
            if (numbers.Count == 1)
            {
                sb.Append(numbers.Min.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append("{ ");
                int i = 0;
                foreach (int number in numbers)
                {
                    sb.Append(number.ToString(CultureInfo.InvariantCulture)).Append(++i < numbers.Count ? ", " : " ");
                }

                sb.Append('}');
            }

            sb.Append(" counter accept\n");
        }

        return Chain(name, sb, note: note);
    }

    private sealed class NetProtocolComparer : IComparer<(string Net, string Protocol)>
    {
        public static NetProtocolComparer Instance { get; } = new();

        public int Compare((string Net, string Protocol) x, (string Net, string Protocol) y)
        {
            int net = string.CompareOrdinal(x.Net, y.Net);
            return net != 0 ? net : string.CompareOrdinal(x.Protocol, y.Protocol);
        }
    }
}
