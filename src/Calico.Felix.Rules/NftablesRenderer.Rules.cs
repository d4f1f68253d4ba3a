using System.Globalization;
using System.Runtime.InteropServices;
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
    private static void AppendRule(List<NftRule> rules, RenderContext ctx, RuleModel rule, NftLog? flowLog = null)
    {
        RuleModelChecks.Validate(rule);
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
            AppendRuleForFamily(rules, ctx, rule, 0, flowLog);
            return;
        }

        if (fixedFamily is 0 or 4)
        {
            AppendRuleForFamily(rules, ctx, rule, 4, flowLog);
        }

        if (fixedFamily is 0 or 6)
        {
            AppendRuleForFamily(rules, ctx, rule, 6, flowLog);
        }
    }

    private static bool NamesAddresses(RuleModel r) =>
        r.SrcNets.Count + r.NotSrcNets.Count + r.SrcIpSetIds.Count + r.NotSrcIpSetIds.Count + r.SrcNamedPortIpSetIds.Count
        + r.NotSrcNamedPortIpSetIds.Count + r.DstNets.Count + r.NotDstNets.Count + r.DstIpSetIds.Count + r.NotDstIpSetIds.Count
        + r.DstNamedPortIpSetIds.Count + r.NotDstNamedPortIpSetIds.Count > 0;

    private static void AppendRuleForFamily(List<NftRule> rules, RenderContext ctx, RuleModel rule, int family, NftLog? flowLog)
    {
        SortedSet<string>? srcNets = NetsOfFamily(rule.SrcNets, family);
        SortedSet<string>? dstNets = NetsOfFamily(rule.DstNets, family);
        if ((rule.SrcNets.Count > 0 && srcNets!.Count == 0) || (rule.DstNets.Count > 0 && dstNets!.Count == 0))
        {
            return;
        }

        var common = new List<NftStatement>(8);
        if (family != 0)
        {
            common.Add(family == 4 ? NfprotoIpv4 : NfprotoIpv6);
        }

        if (rule.Protocol is int protocol)
        {
            common.Add(SharedMatch(ctx, NftField.MetaL4proto, NftProtocol.Named((byte)protocol)));
        }

        if (rule.NotProtocol is int notProtocol)
        {
            common.Add(SharedMatch(ctx, NftField.MetaL4proto, NftProtocol.Named((byte)notProtocol), negated: true));
        }

        AppendAddressMatches(common, ctx, source: true, srcNets, NetsOfFamily(rule.NotSrcNets, family), rule.SrcIpSetIds, rule.NotSrcIpSetIds, family);
        AppendAddressMatches(common, ctx, source: false, dstNets, NetsOfFamily(rule.NotDstNets, family), rule.DstIpSetIds, rule.NotDstIpSetIds, family);

        var suffix = new List<NftStatement>(6);
        AppendNegatedPorts(suffix, ctx, source: true, rule.NotSrcPorts, rule.NotSrcNamedPortIpSetIds, family);
        AppendNegatedPorts(suffix, ctx, source: false, rule.NotDstPorts, rule.NotDstNamedPortIpSetIds, family);
        AppendIcmp(suffix, rule);
        suffix.Add(Counter);
        if (flowLog is not null)
        {
            suffix.Add(flowLog);
        }

        AppendAction(suffix, ctx, rule.Action);

        List<NftStatement?> srcAlternatives = PortAlternatives(ctx, source: true, rule.SrcPorts, rule.SrcNamedPortIpSetIds, family);
        List<NftStatement?> dstAlternatives = PortAlternatives(ctx, source: false, rule.DstPorts, rule.DstNamedPortIpSetIds, family);
        foreach (NftStatement? src in srcAlternatives)
        {
            foreach (NftStatement? dst in dstAlternatives)
            {
                var statements = new List<NftStatement>(common.Count + suffix.Count + 2);
                statements.AddRange(common);
                if (src is not null)
                {
                    statements.Add(src);
                }

                if (dst is not null)
                {
                    statements.Add(dst);
                }

                statements.AddRange(suffix);
                rules.Add(Rule(statements));
            }
        }
    }

    private static void AppendAddressMatches(List<NftStatement> statements, RenderContext ctx, bool source, SortedSet<string>? nets, SortedSet<string>? notNets, IReadOnlyList<string> sets, IReadOnlyList<string> notSets, int family)
    {
        if (family == 0)
        {
            // Only a rule that names no address renders without a family.
            return;
        }

        NftField field = NftFields.Address(family, source);
        if (nets is { Count: > 0 })
        {
            statements.Add(PrefixSetMatch(ctx, field, nets, negated: false));
        }

        if (notNets is { Count: > 0 })
        {
            statements.Add(PrefixSetMatch(ctx, field, notNets, negated: true));
        }

        foreach (string id in sets)
        {
            statements.Add(SetMatch(ctx, field, SetRef(ctx, id, IpSetType.Net, family), negated: false));
        }

        foreach (string id in notSets)
        {
            statements.Add(SetMatch(ctx, field, SetRef(ctx, id, IpSetType.Net, family), negated: true));
        }
    }

    /// <summary>The OR of numeric ports and named ports of one side: one alternative each (null: no port match).</summary>
    private static List<NftStatement?> PortAlternatives(RenderContext ctx, bool source, IReadOnlyList<PortRange> ports, IReadOnlyList<string> namedSets, int family)
    {
        var result = new List<NftStatement?>(1 + namedSets.Count);
        if (ports.Count == 0 && namedSets.Count == 0)
        {
            result.Add(null);
            return result;
        }

        if (ports.Count > 0)
        {
            result.Add(PortSetMatch(ctx, source ? NftField.ThSport : NftField.ThDport, ports, negated: false));
        }

        foreach (string id in namedSets)
        {
            result.Add(NamedPortMatch(ctx, source, id, family, negated: false));
        }

        return result;
    }

    private static void AppendNegatedPorts(List<NftStatement> statements, RenderContext ctx, bool source, IReadOnlyList<PortRange> notPorts, IReadOnlyList<string> notNamedSets, int family)
    {
        if (notPorts.Count > 0)
        {
            statements.Add(PortSetMatch(ctx, source ? NftField.ThSport : NftField.ThDport, notPorts, negated: true));
        }

        foreach (string id in notNamedSets)
        {
            statements.Add(NamedPortMatch(ctx, source, id, family, negated: true));
        }
    }

    /// <summary><c>ip saddr . meta l4proto . th sport @set</c>: an address, protocol and port of a named-port IP set.</summary>
    private static NftMatch NamedPortMatch(RenderContext ctx, bool source, string id, int family, bool negated) =>
        new([NftFields.Address(family, source), NftField.MetaL4proto, source ? NftField.ThSport : NftField.ThDport],
            new NftSetReference(SetRef(ctx, id, IpSetType.IpPort, family)), negated);

    private static void AppendIcmp(List<NftStatement> statements, RuleModel rule)
    {
        bool v6 = rule.Protocol == 58;
        NftField typeField = v6 ? NftField.Icmpv6Type : NftField.IcmpType;
        NftField codeField = v6 ? NftField.Icmpv6Code : NftField.IcmpCode;
        if (rule.IcmpType is int type)
        {
            statements.Add(Match(typeField, new NftNumber((byte)type)));
            if (rule.IcmpCode is int code)
            {
                statements.Add(Match(codeField, new NftNumber((byte)code)));
            }
        }

        if (rule.NotIcmpType is int notType)
        {
            if (rule.NotIcmpCode is int notCode)
            {
                // Not (type and code): one concatenated lookup, since two negated matches would mean "neither".
                statements.Add(new NftMatch(
                    [typeField, codeField],
                    new NftAnonymousSet([new NftConcatenation([new NftNumber((byte)notType), new NftNumber((byte)notCode)])]),
                    negated: true));
            }
            else
            {
                statements.Add(Match(typeField, new NftNumber((byte)notType), negated: true));
            }
        }
    }

    /// <summary>The statements of a policy rule's action, after its counter.</summary>
    private static void AppendAction(List<NftStatement> statements, RenderContext ctx, RuleAction action)
    {
        switch (action)
        {
            case RuleAction.Allow:
                statements.Add(ctx.SetAcceptMark);
                statements.Add(NftVerdict.Return);
                break;
            case RuleAction.Pass:
                statements.Add(ctx.SetPassMark);
                statements.Add(NftVerdict.Return);
                break;
            case RuleAction.Deny:
                statements.Add(NftVerdict.Drop);
                break;
            case RuleAction.Log:
                statements.Add(new NftLog(ctx.Config.LogPrefix + " "));
                break;
            default:
                throw new ValidationException($"error with field action = '{action}' (unknown action)");
        }
    }

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

    private static readonly NftMatch NfprotoIpv4 = Match(NftField.MetaNfproto, NftNfproto.Ipv4);

    private static readonly NftMatch NfprotoIpv6 = Match(NftField.MetaNfproto, NftNfproto.Ipv6);

    // The keys of the shared matches cannot collide: value texts and set names hold no space, the port and net keys do.

    /// <summary>The render's one instance of <c>field [!=] value</c> (see <see cref="RenderContext.SharedMatches"/>).</summary>
    private static NftMatch SharedMatch(RenderContext ctx, NftField field, NftValue value, bool negated = false)
    {
        ref NftMatch? match = ref CollectionsMarshal.GetValueRefOrAddDefault(ctx.SharedMatches, (field, negated, value.Text), out _);
        return match ??= Match(field, value, negated);
    }

    /// <summary><c>field [!=] @set</c>, shared: every rule on one IP set and family names the same set.</summary>
    private static NftMatch SetMatch(RenderContext ctx, NftField field, string set, bool negated)
    {
        ref NftMatch? match = ref CollectionsMarshal.GetValueRefOrAddDefault(ctx.SharedMatches, (field, negated, set), out _);
        return match ??= Match(field, new NftSetReference(set), negated);
    }

    /// <summary><c>field [!=] { ports }</c>, shared by the rules with the same port list.</summary>
    private static NftMatch PortSetMatch(RenderContext ctx, NftField field, IReadOnlyList<PortRange> ports, bool negated)
    {
        // Keyed by the ports, not the set's text: the text would be built for every rule only to find the match.
        string key = ports.Count == 1 && ports[0].First == ports[0].Last
            ? ports[0].First.ToString(CultureInfo.InvariantCulture)
            : string.Join(',', ports.Select(static p => p.First.ToString(CultureInfo.InvariantCulture) + "-" + p.Last.ToString(CultureInfo.InvariantCulture)));
        ref NftMatch? match = ref CollectionsMarshal.GetValueRefOrAddDefault(ctx.SharedMatches, (field, negated, "ports " + key), out _);
        return match ??= Match(field, PortSet(ports), negated);
    }

    /// <summary><c>field [!=] { prefixes }</c>, shared by the rules with the same nets.</summary>
    private static NftMatch PrefixSetMatch(RenderContext ctx, NftField field, SortedSet<string> nets, bool negated)
    {
        ref NftMatch? match = ref CollectionsMarshal.GetValueRefOrAddDefault(ctx.SharedMatches, (field, negated, "nets " + string.Join(',', nets)), out _);
        return match ??= Match(field, PrefixSet(nets), negated);
    }

    /// <summary>Normalized CIDRs (ordinal order) as an anonymous set.</summary>
    private static NftAnonymousSet PrefixSet(SortedSet<string> nets)
    {
        var elements = new List<NftValue>(nets.Count);
        foreach (string net in nets)
        {
            elements.Add(NftPrefix.Parse(net));
        }

        return new NftAnonymousSet(elements);
    }

    private static NftAnonymousSet PortSet(IReadOnlyList<PortRange> ports)
    {
        var elements = new List<NftValue>(ports.Count);
        foreach (PortRange p in ports)
        {
            elements.Add(new NftPortRange(p.First, p.Last));
        }

        return new NftAnonymousSet(elements);
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

}
