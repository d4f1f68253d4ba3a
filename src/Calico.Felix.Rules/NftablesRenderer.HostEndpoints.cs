using Calico.Api;

namespace Calico.Felix.Rules;

public static partial class NftablesRenderer
{
    /// <summary>
    /// <c>cali-failsafe-in</c> (destination port, optional source net) and <c>cali-failsafe-out</c> (destination port,
    /// optional destination net), jumped to first from every host endpoint chain. Ports of one protocol and net
    /// share one rule with an anonymous set. With untracked policy also the raw hooks' chains, which let replies through
    /// by source port as well (upstream's raw failsafe chains): <c>cali-failsafe-in-raw</c> adds the outbound ports as
    /// source ports (net: source), <c>cali-failsafe-out-raw</c> the inbound ports as source ports (net: destination). An
    /// accept there only spares the packet the untracked policy; it stays tracked and meets the filter chains.
    /// </summary>
    private static void AddFailsafeChains(List<NftChain> chains, RenderConfig config, HostEndpointSelection heps)
    {
        chains.Add(FailsafeChain(NftNames.FailsafeIn, [(config.FailsafeInboundHostPorts, true, NftField.ThDport)], "Failsafe inbound host ports"));
        chains.Add(FailsafeChain(NftNames.FailsafeOut, [(config.FailsafeOutboundHostPorts, false, NftField.ThDport)], "Failsafe outbound host ports"));
        if (heps.HasUntracked)
        {
            chains.Add(FailsafeChain(
                NftNames.FailsafeInRaw,
                [(config.FailsafeInboundHostPorts, true, NftField.ThDport), (config.FailsafeOutboundHostPorts, true, NftField.ThSport)],
                "Failsafe host ports before conntrack, ingress (replies by source port)"));
            chains.Add(FailsafeChain(
                NftNames.FailsafeOutRaw,
                [(config.FailsafeOutboundHostPorts, false, NftField.ThDport), (config.FailsafeInboundHostPorts, false, NftField.ThSport)],
                "Failsafe host ports before conntrack, egress (replies by source port)"));
        }
    }

    private static NftChain FailsafeChain(string name, List<(IReadOnlyList<HostPort> Ports, bool SourceNet, NftField PortField)> parts, string note)
    {
        var rules = new List<NftRule>();
        foreach (var (ports, sourceNet, portField) in parts)
        {
            AppendFailsafeRules(rules, ports, sourceNet, portField);
        }

        return Chain(name, rules, note: note);
    }

    private static void AppendFailsafeRules(List<NftRule> rules, IReadOnlyList<HostPort> ports, bool sourceNet, NftField portField)
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

        foreach (var ((net, protocol), numbers) in groups)
        {
            var statements = new List<NftStatement>(7);
            if (net.Length > 0)
            {
                NftPrefix prefix = NftPrefix.Parse(net);
                statements.Add(Match(NftField.MetaNfproto, NftNfproto.Of(prefix.Family)));
                statements.Add(Match(NftFields.Address(prefix.Family, source: sourceNet), prefix));
            }

            if (!NftProtocol.TryParse(protocol, out NftProtocol? l4))
            {
                throw new ValidationException($"error with field failsafe protocol = '{protocol}' (unknown protocol)");
            }

            statements.Add(Match(NftField.MetaL4proto, l4!));
            NftValue portValue;
            if (numbers.Count == 1)
            {
                portValue = new NftPortRange(numbers.Min);
            }
            else
            {
                var elements = new List<NftValue>(numbers.Count);
                foreach (int number in numbers)
                {
                    elements.Add(new NftPortRange(number));
                }

                portValue = new NftAnonymousSet(elements);
            }

            statements.Add(Match(portField, portValue));
            statements.Add(Counter);
            statements.Add(NftVerdict.Accept);
            rules.Add(Rule(statements));
        }
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
