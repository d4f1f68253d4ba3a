using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules.Merging;

/// <summary>
/// The elements of one merged set: the cartesian expansion of its rules (address × protocol × port range), made
/// disjoint because the kernel's concatenated interval sets (pipapo) reject an element that overlaps another.
/// Within a run every rule has the same verdict, so dropping the covered part of an element changes nothing.
/// </summary>
internal static class MergedSetElements
{
    /// <summary>One rule's remote addresses for the family, protocol and ports, as <see cref="MergeContext"/> resolved them.</summary>
    public static List<NftElement> Build(MergedShape shape, List<(IReadOnlyCollection<string> Addresses, int? Protocol, IReadOnlyList<PortRange> Ports)> parts)
    {
        switch (shape)
        {
            case MergedShape.Address:
            {
                var addresses = new HashSet<string>(StringComparer.Ordinal);
                foreach (var part in parts)
                {
                    addresses.UnionWith(part.Addresses);
                }

                var elements = new List<NftElement>();
                foreach (string address in CidrCollapse.Collapse(addresses))
                {
                    elements.Add(new NftElement(NftPrefix.Parse(address)));
                }

                return elements;
            }

            case MergedShape.AddressProtocol:
            {
                var byProtocol = new SortedDictionary<int, HashSet<string>>();
                foreach (var part in parts)
                {
                    int protocol = part.Protocol!.Value;
                    if (!byProtocol.TryGetValue(protocol, out HashSet<string>? addresses))
                    {
                        byProtocol[protocol] = addresses = new HashSet<string>(StringComparer.Ordinal);
                    }

                    addresses.UnionWith(part.Addresses);
                }

                var result = new List<NftElement>();
                foreach (var (protocol, addresses) in byProtocol)
                {
                    var number = NftProtocol.Numeric((byte)protocol);
                    foreach (string address in CidrCollapse.Collapse(addresses))
                    {
                        result.Add(new NftElement(new NftConcatenation([NftPrefix.Parse(address), number])));
                    }
                }

                return result;
            }

            default:
                return AddressProtocolPort(parts);
        }
    }

    private static List<NftElement> AddressProtocolPort(List<(IReadOnlyCollection<string> Addresses, int? Protocol, IReadOnlyList<PortRange> Ports)> parts)
    {
        var byProtocol = new SortedDictionary<int, Dictionary<string, List<PortRange>>>();
        foreach (var (addresses, protocol, ports) in parts)
        {
            if (!byProtocol.TryGetValue(protocol!.Value, out Dictionary<string, List<PortRange>>? byAddress))
            {
                byProtocol[protocol.Value] = byAddress = new Dictionary<string, List<PortRange>>(StringComparer.Ordinal);
            }

            foreach (string address in addresses)
            {
                if (!byAddress.TryGetValue(address, out List<PortRange>? list))
                {
                    byAddress[address] = list = [];
                }

                list.AddRange(ports);
            }
        }

        var result = new List<NftElement>();
        foreach (var (protocol, byAddress) in byProtocol)
        {
            var number = NftProtocol.Numeric((byte)protocol);
            foreach (var (address, ports) in Disjoint(byAddress))
            {
                var prefix = NftPrefix.Parse(address);
                foreach (PortRange p in ports)
                {
                    result.Add(new NftElement(new NftConcatenation([prefix, number, new NftPortRange(p.First, p.Last)])));
                }
            }
        }

        return result;
    }

    /// <summary>
    /// Per address, its ports minus those of every address containing it (CIDRs either nest or are disjoint, so
    /// after this no two (address, port) boxes overlap).
    /// </summary>
    private static List<(string Address, List<PortRange> Ports)> Disjoint(Dictionary<string, List<PortRange>> byAddress)
    {
        var parsed = new Dictionary<(UInt128, int), List<PortRange>>(byAddress.Count);
        var prefixes = new SortedSet<int>();
        var entries = new List<(string Address, UInt128 Network, int Prefix, int Bits, List<PortRange> Ports)>(byAddress.Count);
        foreach (var (address, ports) in byAddress)
        {
            var (network, prefix, bits) = CidrCollapse.Parse(address);
            List<PortRange> merged = PortRanges.Union(ports);
            parsed[(network, prefix)] = merged;
            prefixes.Add(prefix);
            entries.Add((address, network, prefix, bits, merged));
        }

        var result = new List<(string, List<PortRange>)>(entries.Count);
        foreach (var (address, network, prefix, bits, ports) in entries)
        {
            List<PortRange>? covered = null;
            foreach (int shorter in prefixes)
            {
                if (shorter >= prefix)
                {
                    break;
                }

                if (parsed.TryGetValue((CidrCollapse.Truncate(network, shorter, bits), shorter), out List<PortRange>? outer))
                {
                    (covered ??= []).AddRange(outer);
                }
            }

            List<PortRange> own = covered is null ? ports : PortRanges.Except(ports, PortRanges.Union(covered));
            if (own.Count > 0)
            {
                result.Add((address, own));
            }
        }

        return result;
    }
}
