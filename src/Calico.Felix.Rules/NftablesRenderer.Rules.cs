using System.Globalization;
using System.Text;
using Calico.Api;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules;

public static partial class NftablesRenderer
{
    /// <summary>
    /// One policy rule as one or more nft rules. A rule that names addresses (nets, IP sets, named ports) or an
    /// ICMP protocol is rendered once per IP family it can match, since nft matches and sets are typed by family;
    /// a rule with nets only of the other family is skipped for that family. The OR between numeric ports and
    /// named ports of one side becomes one nft rule per alternative (as upstream splits iptables rules).
    /// </summary>
    private static void AppendRule(StringBuilder sb, RenderContext ctx, RuleModel rule)
    {
        ValidateRule(rule);
        int protocolFamily = rule.Protocol switch
        {
            1 => 4,
            58 => 6,
            _ => 0,
        };
        int fixedFamily = rule.IpVersion ?? protocolFamily;
        if (rule.IpVersion is not null && protocolFamily != 0 && protocolFamily != rule.IpVersion)
        {
            return;
        }

        if (fixedFamily == 0 && !NamesAddresses(rule))
        {
            AppendRuleForFamily(sb, ctx, rule, 0);
            return;
        }

        if (fixedFamily is 0 or 4)
        {
            AppendRuleForFamily(sb, ctx, rule, 4);
        }

        if (fixedFamily is 0 or 6)
        {
            AppendRuleForFamily(sb, ctx, rule, 6);
        }
    }

    private static bool NamesAddresses(RuleModel r) =>
        r.SrcNets.Count + r.NotSrcNets.Count + r.SrcIpSetIds.Count + r.NotSrcIpSetIds.Count + r.SrcNamedPortIpSetIds.Count
        + r.NotSrcNamedPortIpSetIds.Count + r.DstNets.Count + r.NotDstNets.Count + r.DstIpSetIds.Count + r.NotDstIpSetIds.Count
        + r.DstNamedPortIpSetIds.Count + r.NotDstNamedPortIpSetIds.Count > 0;

    private static void AppendRuleForFamily(StringBuilder sb, RenderContext ctx, RuleModel rule, int family)
    {
        SortedSet<string>? srcNets = NetsOfFamily(rule.SrcNets, family);
        SortedSet<string>? dstNets = NetsOfFamily(rule.DstNets, family);
        if ((rule.SrcNets.Count > 0 && srcNets!.Count == 0) || (rule.DstNets.Count > 0 && dstNets!.Count == 0))
        {
            return;
        }

        string ip = family == 6 ? "ip6" : "ip";
        var common = new StringBuilder(128);
        if (family != 0)
        {
            common.Append(family == 6 ? "meta nfproto ipv6 " : "meta nfproto ipv4 ");
        }

        if (rule.Protocol is int protocol)
        {
            common.Append("meta l4proto ").Append(ProtocolName(protocol)).Append(' ');
        }

        if (rule.NotProtocol is int notProtocol)
        {
            common.Append("meta l4proto != ").Append(ProtocolName(notProtocol)).Append(' ');
        }

        AppendAddressMatches(common, ctx, ip, "saddr", srcNets, NetsOfFamily(rule.NotSrcNets, family), rule.SrcIpSetIds, rule.NotSrcIpSetIds, family);
        AppendAddressMatches(common, ctx, ip, "daddr", dstNets, NetsOfFamily(rule.NotDstNets, family), rule.DstIpSetIds, rule.NotDstIpSetIds, family);

        var suffix = new StringBuilder(64);
        AppendNegatedPorts(suffix, ctx, ip, "saddr", "sport", rule.NotSrcPorts, rule.NotSrcNamedPortIpSetIds, family);
        AppendNegatedPorts(suffix, ctx, ip, "daddr", "dport", rule.NotDstPorts, rule.NotDstNamedPortIpSetIds, family);
        AppendIcmp(suffix, rule);
        suffix.Append("counter ").Append(ActionText(ctx, rule.Action));

        List<string> srcAlternatives = PortAlternatives(ctx, ip, "saddr", "sport", rule.SrcPorts, rule.SrcNamedPortIpSetIds, family);
        List<string> dstAlternatives = PortAlternatives(ctx, ip, "daddr", "dport", rule.DstPorts, rule.DstNamedPortIpSetIds, family);
        foreach (string src in srcAlternatives)
        {
            foreach (string dst in dstAlternatives)
            {
                Rule(sb).Append(common).Append(src).Append(dst).Append(suffix).Append('\n');
            }
        }
    }

    private static void AppendAddressMatches(StringBuilder sb, RenderContext ctx, string ip, string field, SortedSet<string>? nets, SortedSet<string>? notNets, IReadOnlyList<string> sets, IReadOnlyList<string> notSets, int family)
    {
        if (nets is { Count: > 0 })
        {
            sb.Append(ip).Append(' ').Append(field).Append(' ');
            AppendAnonymousSet(sb, nets);
        }

        if (notNets is { Count: > 0 })
        {
            sb.Append(ip).Append(' ').Append(field).Append(" != ");
            AppendAnonymousSet(sb, notNets);
        }

        foreach (string id in sets)
        {
            sb.Append(ip).Append(' ').Append(field).Append(" @").Append(SetRef(ctx, id, IpSetType.Net, family)).Append(' ');
        }

        foreach (string id in notSets)
        {
            sb.Append(ip).Append(' ').Append(field).Append(" != @").Append(SetRef(ctx, id, IpSetType.Net, family)).Append(' ');
        }
    }

    private static List<string> PortAlternatives(RenderContext ctx, string ip, string addressField, string portField, IReadOnlyList<PortRange> ports, IReadOnlyList<string> namedSets, int family)
    {
        var result = new List<string>(1 + namedSets.Count);
        if (ports.Count == 0 && namedSets.Count == 0)
        {
            result.Add(string.Empty);
            return result;
        }

        var sb = new StringBuilder(64);
        if (ports.Count > 0)
        {
            sb.Append("th ").Append(portField).Append(' ');
            AppendPortSet(sb, ports);
            result.Add(sb.ToString());
        }

        foreach (string id in namedSets)
        {
            sb.Clear();
            AppendNamedPortMatch(sb, ctx, ip, addressField, portField, id, family, negated: false);
            result.Add(sb.ToString());
        }

        return result;
    }

    private static void AppendNegatedPorts(StringBuilder sb, RenderContext ctx, string ip, string addressField, string portField, IReadOnlyList<PortRange> notPorts, IReadOnlyList<string> notNamedSets, int family)
    {
        if (notPorts.Count > 0)
        {
            sb.Append("th ").Append(portField).Append(" != ");
            AppendPortSet(sb, notPorts);
        }

        foreach (string id in notNamedSets)
        {
            AppendNamedPortMatch(sb, ctx, ip, addressField, portField, id, family, negated: true);
        }
    }

    private static void AppendNamedPortMatch(StringBuilder sb, RenderContext ctx, string ip, string addressField, string portField, string id, int family, bool negated) =>
        sb.Append(ip).Append(' ').Append(addressField).Append(" . meta l4proto . th ").Append(portField)
            .Append(negated ? " != @" : " @").Append(SetRef(ctx, id, IpSetType.IpPort, family)).Append(' ');

    private static void AppendIcmp(StringBuilder sb, RuleModel rule)
    {
        string icmp = rule.Protocol == 58 ? "icmpv6" : "icmp";
        if (rule.IcmpType is int type)
        {
            sb.Append(icmp).Append(" type ").Append(type.ToString(CultureInfo.InvariantCulture)).Append(' ');
            if (rule.IcmpCode is int code)
            {
                sb.Append(icmp).Append(" code ").Append(code.ToString(CultureInfo.InvariantCulture)).Append(' ');
            }
        }

        if (rule.NotIcmpType is int notType)
        {
            if (rule.NotIcmpCode is int notCode)
            {
                // Not (type and code): one concatenated lookup, since two negated matches would mean "neither".
                sb.Append(icmp).Append(" type . ").Append(icmp).Append(" code != { ")
                    .Append(notType.ToString(CultureInfo.InvariantCulture)).Append(" . ")
                    .Append(notCode.ToString(CultureInfo.InvariantCulture)).Append(" } ");
            }
            else
            {
                sb.Append(icmp).Append(" type != ").Append(notType.ToString(CultureInfo.InvariantCulture)).Append(' ');
            }
        }
    }

    private static string ActionText(RenderContext ctx, RuleAction action) => action switch
    {
        RuleAction.Allow => "meta mark set meta mark | " + ctx.Accept + " return",
        RuleAction.Pass => "meta mark set meta mark | " + ctx.Pass + " return",
        RuleAction.Deny => "drop",
        RuleAction.Log => "log prefix \"" + ctx.Config.LogPrefix + " \"",
        _ => throw new ValidationException($"error with field action = '{action}' (unknown action)"),
    };

    private static SortedSet<string>? NetsOfFamily(IReadOnlyList<string> nets, int family)
    {
        if (nets.Count == 0 || family == 0)
        {
            return null;
        }

        var result = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string net in nets)
        {
            var (f, text) = Cidr.Normalize(net);
            if (f == family)
            {
                result.Add(text);
            }
        }

        return result;
    }

    private static void AppendAnonymousSet(StringBuilder sb, SortedSet<string> elements)
    {
        sb.Append("{ ");
        int i = 0;
        foreach (string e in elements)
        {
            sb.Append(e).Append(++i < elements.Count ? ", " : " ");
        }

        sb.Append("} ");
    }

    private static void AppendPortSet(StringBuilder sb, IReadOnlyList<PortRange> ports)
    {
        sb.Append("{ ");
        for (int i = 0; i < ports.Count; i++)
        {
            PortRange p = ports[i];
            sb.Append(p.First.ToString(CultureInfo.InvariantCulture));
            if (p.Last != p.First)
            {
                sb.Append('-').Append(p.Last.ToString(CultureInfo.InvariantCulture));
            }

            sb.Append(i + 1 < ports.Count ? ", " : " ");
        }

        sb.Append("} ");
    }

    /// <summary>The nft set for one family of an IP set the graph promised to send before the rule using it.</summary>
    private static string SetRef(RenderContext ctx, string id, IpSetType expected, int family)
    {
        if (!ctx.State.IpSets.TryGetValue(id, out var set))
        {
            throw new InvalidOperationException($"rule references IP set {id}, which the dataplane state does not hold");
        }

        if (set.Type != expected)
        {
            throw new InvalidOperationException($"rule uses IP set {id} of type {set.Type} where {expected} is needed");
        }

        return NftNames.IpSet(id, family);
    }

    private static string ProtocolName(int protocol) => protocol switch
    {
        1 => "icmp",
        6 => "tcp",
        17 => "udp",
        58 => "ipv6-icmp",
        132 => "sctp",
        136 => "udplite",
        _ => protocol.ToString(CultureInfo.InvariantCulture),
    };

    private static void ValidateRule(RuleModel r)
    {
        CheckByte("protocol", r.Protocol);
        CheckByte("notProtocol", r.NotProtocol);
        CheckByte("icmp.type", r.IcmpType);
        CheckByte("icmp.code", r.IcmpCode);
        CheckByte("notICMP.type", r.NotIcmpType);
        CheckByte("notICMP.code", r.NotIcmpCode);
        if (r.IpVersion is not null and not 4 and not 6)
        {
            throw new ValidationException($"error with field ipVersion = '{r.IpVersion}' (must be 4 or 6)");
        }

        bool icmp = r.IcmpType is not null || r.IcmpCode is not null || r.NotIcmpType is not null || r.NotIcmpCode is not null;
        if (icmp && r.Protocol is not (1 or 58))
        {
            throw new ValidationException($"error with field protocol = '{r.Protocol}' (ICMP matches need protocol ICMP or ICMPv6)");
        }

        if ((r.IcmpCode is not null && r.IcmpType is null) || (r.NotIcmpCode is not null && r.NotIcmpType is null))
        {
            throw new ValidationException("error with field icmp.code = '' (an ICMP code needs an ICMP type)");
        }

        CheckPorts("source.ports", r.SrcPorts);
        CheckPorts("source.notPorts", r.NotSrcPorts);
        CheckPorts("destination.ports", r.DstPorts);
        CheckPorts("destination.notPorts", r.NotDstPorts);
    }

    private static void CheckByte(string field, int? value)
    {
        if (value is < 0 or > 255)
        {
            throw new ValidationException($"error with field {field} = '{value}' (must be 0-255)");
        }
    }

    private static void CheckPorts(string field, IReadOnlyList<PortRange> ports)
    {
        foreach (PortRange p in ports)
        {
            if (p.First < 0 || p.Last > 65535 || p.First > p.Last)
            {
                throw new ValidationException($"error with field {field} = '{p}' (bad port range)");
            }
        }
    }
}
