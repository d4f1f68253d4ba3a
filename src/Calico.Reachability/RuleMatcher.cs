using System.Net;
using Calico.Felix.Calc.Model;

namespace Calico.Reachability;

/// <summary>
/// Whether a packet matches one <see cref="RuleModel"/>, with the semantics documented there (every condition
/// ANDed; nets: any of / none of; IP sets: all of / none of; ports: a range OR a named-port set, none of the
/// negated ones). Reads IP sets from the dataplane state, exactly as the kernel would.
/// </summary>
internal sealed class RuleMatcher(DataplaneState state)
{
    private readonly Dictionary<string, IPNetwork?> _nets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<IPNetwork>> _netSets = new(StringComparer.Ordinal);

    public bool Matches(RuleModel rule, Packet packet)
    {
        if (rule.IpVersion is { } v && v != packet.IpVersion)
        {
            return false;
        }

        if (rule.Protocol is { } p && p != packet.Protocol)
        {
            return false;
        }

        if (rule.NotProtocol is { } np && np == packet.Protocol)
        {
            return false;
        }

        if (!IcmpMatches(rule, packet))
        {
            return false;
        }

        return SideMatches(packet.SrcIp, packet.Protocol, packet.SrcPort, rule.SrcNets, rule.NotSrcNets, rule.SrcIpSetIds, rule.NotSrcIpSetIds,
                   rule.SrcPorts, rule.NotSrcPorts, rule.SrcNamedPortIpSetIds, rule.NotSrcNamedPortIpSetIds)
               && SideMatches(packet.DstIp, packet.Protocol, packet.DstPort, rule.DstNets, rule.NotDstNets, rule.DstIpSetIds, rule.NotDstIpSetIds,
                   rule.DstPorts, rule.NotDstPorts, rule.DstNamedPortIpSetIds, rule.NotDstNamedPortIpSetIds);
    }

    private static bool IcmpMatches(RuleModel rule, Packet packet)
    {
        if (rule.IcmpType is { } type)
        {
            if (packet.IcmpType != type || (rule.IcmpCode is { } code && packet.IcmpCode != code))
            {
                return false;
            }
        }

        if (rule.NotIcmpType is { } notType && packet.IcmpType == notType && (rule.NotIcmpCode is not { } notCode || packet.IcmpCode == notCode))
        {
            return false;
        }

        return true;
    }

    private bool SideMatches(IPAddress address, int protocol, int port,
        IReadOnlyList<string> nets, IReadOnlyList<string> notNets, IReadOnlyList<string> ipSets, IReadOnlyList<string> notIpSets,
        IReadOnlyList<PortRange> ports, IReadOnlyList<PortRange> notPorts, IReadOnlyList<string> namedPortSets, IReadOnlyList<string> notNamedPortSets)
    {
        if (nets.Count > 0 && !AnyNetContains(nets, address))
        {
            return false;
        }

        if (notNets.Count > 0 && AnyNetContains(notNets, address))
        {
            return false;
        }

        foreach (var id in ipSets)
        {
            if (!InAddressSet(id, address))
            {
                return false;
            }
        }

        foreach (var id in notIpSets)
        {
            if (InAddressSet(id, address))
            {
                return false;
            }
        }

        if (ports.Count > 0 || namedPortSets.Count > 0)
        {
            var any = false;
            foreach (var range in ports)
            {
                if (range.Contains(port))
                {
                    any = true;
                    break;
                }
            }

            if (!any)
            {
                var member = NamedPortMember(address, protocol, port);
                foreach (var id in namedPortSets)
                {
                    if (InNamedPortSet(id, member))
                    {
                        any = true;
                        break;
                    }
                }
            }

            if (!any)
            {
                return false;
            }
        }

        foreach (var range in notPorts)
        {
            if (range.Contains(port))
            {
                return false;
            }
        }

        if (notNamedPortSets.Count > 0)
        {
            var member = NamedPortMember(address, protocol, port);
            foreach (var id in notNamedPortSets)
            {
                if (InNamedPortSet(id, member))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static string NamedPortMember(IPAddress address, int protocol, int port) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{address},{Packet.ProtocolName(protocol)}:{port}");

    private bool AnyNetContains(IReadOnlyList<string> nets, IPAddress address)
    {
        foreach (var text in nets)
        {
            if (Parse(text) is { } net && net.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A set the dataplane does not have matches nothing (the kernel would refuse the rule; fail closed for allows).</summary>
    private bool InAddressSet(string id, IPAddress address)
    {
        if (!state.IpSets.TryGetValue(id, out var set))
        {
            return false;
        }

        if (set.Type == IpSetType.IpPort)
        {
            // An ip,port set used as an address set: membership by address alone.
            var prefix = address + ",";
            foreach (var m in set.Members)
            {
                if (m.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        if (!_netSets.TryGetValue(id, out var parsed))
        {
            parsed = [];
            foreach (var m in set.Members)
            {
                if (Parse(m) is { } net)
                {
                    parsed.Add(net);
                }
            }

            _netSets[id] = parsed;
        }

        foreach (var net in parsed)
        {
            if (net.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private bool InNamedPortSet(string id, string member) =>
        state.IpSets.TryGetValue(id, out var set) && set.Members.Contains(member);

    private IPNetwork? Parse(string text)
    {
        if (_nets.TryGetValue(text, out var cached))
        {
            return cached;
        }

        IPNetwork? net = null;
        if (text.Contains('/', StringComparison.Ordinal))
        {
            // Host bits may be set ("10.0.0.5/8" in a rule means 10.0.0.0/8): mask them as the kernel does.
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            if (IPAddress.TryParse(text.AsSpan(0, slash), out var a) && int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var len))
            {
                var max = a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
                if (len <= max)
                {
                    net = new IPNetwork(Mask(a, len), len);
                }
            }
        }
        else if (IPAddress.TryParse(text, out var host))
        {
            net = new IPNetwork(host, host.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32);
        }

        _nets[text] = net;
        return net;
    }

    private static IPAddress Mask(IPAddress address, int length)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var bits = Math.Clamp(length - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bits));
        }

        return new IPAddress(bytes);
    }
}
