using System.Net.Sockets;
using Calico.Api;
using Calico.Felix.Calc.Model;
using Calico.Selectors;

namespace Calico.Felix.Calc.Internal;

/// <summary>
/// v3 rules to <see cref="RuleModel"/>, with upstream's selector rewriting (updateprocessors <c>rules.go</c>) and
/// IP set extraction (felix <c>rule_scanner.go</c>). A rule that cannot be rendered is dropped; the rest of the
/// policy still applies, as upstream.
/// </summary>
internal static class RuleConverter
{
    public const string NamespaceLabel = "projectcalico.org/namespace";
    public const string ServiceAccountLabel = "projectcalico.org/serviceaccount";
    public const string NamespacePrefix = "pcns.";
    public const string ServiceAccountPrefix = "pcsa.";

    public static ParsedRules Convert(IReadOnlyList<Rule>? ingress, IReadOnlyList<Rule>? egress, string? ns)
    {
        var ipSets = new Dictionary<string, IpSetDefinition>(StringComparer.Ordinal);
        var inbound = ConvertList(ingress, ns, ipSets);
        var outbound = ConvertList(egress, ns, ipSets);
        var defs = new List<IpSetDefinition>(ipSets.Count);
        foreach (var def in ipSets.Values)
        {
            defs.Add(def);
        }

        return new ParsedRules(inbound, outbound, defs);
    }

    private static List<RuleModel> ConvertList(IReadOnlyList<Rule>? rules, string? ns, Dictionary<string, IpSetDefinition> ipSets)
    {
        var result = new List<RuleModel>();
        if (rules is null)
        {
            return result;
        }

        for (var i = 0; i < rules.Count; i++)
        {
            var local = new List<IpSetDefinition>();
            if (TryConvert(rules[i], i, ns, local, out var model))
            {
                result.Add(model);
                foreach (var def in local)
                {
                    ipSets.TryAdd(def.Id, def);
                }
            }
        }

        return result;
    }

    /// <summary>Converts one rule; false when it cannot be rendered (unknown action or protocol, bad selector, services).</summary>
    public static bool TryConvert(Rule rule, int index, string? ns, List<IpSetDefinition> ipSets, out RuleModel model)
    {
        model = new RuleModel();
        if (!TryAction(rule.Action, out var action))
        {
            return false;
        }

        int? protocol = null;
        int? notProtocol = null;
        if (rule.Protocol is not null && !TryProtocolNumber(rule.Protocol, out protocol))
        {
            return false;
        }

        if (rule.NotProtocol is not null && !TryProtocolNumber(rule.NotProtocol, out notProtocol))
        {
            return false;
        }

        // Services need the service index and http an application-layer proxy, neither of which exists here
        // (docs/support-matrix.md). Fail closed: an Allow or Pass rule with such a match never matches (it is dropped);
        // a Deny or Log rule applies on its enforceable part, i.e. without that match, so it covers at least what
        // was asked.
        if ((rule.Source.Services is not null || rule.Destination.Services is not null || rule.Http is not null)
            && action is RuleAction.Allow or RuleAction.Pass)
        {
            return false;
        }

        var namedPortProtocol = NamedPortProtocol(rule.Protocol);
        if (!TrySide(rule.Source, ns, namedPortProtocol, ipSets, out var src)
            || !TrySide(rule.Destination, ns, namedPortProtocol, ipSets, out var dst))
        {
            return false;
        }

        model = new RuleModel
        {
            Action = action,
            IpVersion = rule.IpVersion,
            Protocol = protocol,
            NotProtocol = notProtocol,
            IcmpType = rule.Icmp?.Type,
            IcmpCode = rule.Icmp?.Code,
            NotIcmpType = rule.NotICMP?.Type,
            NotIcmpCode = rule.NotICMP?.Code,
            SrcNets = src.Nets,
            NotSrcNets = src.NotNets,
            SrcIpSetIds = src.IpSetIds,
            NotSrcIpSetIds = src.NotIpSetIds,
            SrcPorts = src.Ports,
            NotSrcPorts = src.NotPorts,
            SrcNamedPortIpSetIds = src.NamedPortIds,
            NotSrcNamedPortIpSetIds = src.NotNamedPortIds,
            DstNets = dst.Nets,
            NotDstNets = dst.NotNets,
            DstIpSetIds = dst.IpSetIds,
            NotDstIpSetIds = dst.NotIpSetIds,
            DstPorts = dst.Ports,
            NotDstPorts = dst.NotPorts,
            DstNamedPortIpSetIds = dst.NamedPortIds,
            NotDstNamedPortIpSetIds = dst.NotNamedPortIds,
            Index = index,
        };
        return true;
    }

    private sealed record Side(
        List<string> Nets, List<string> NotNets, List<string> IpSetIds, List<string> NotIpSetIds,
        List<PortRange> Ports, List<PortRange> NotPorts, List<string> NamedPortIds, List<string> NotNamedPortIds);

    private static bool TrySide(EntityRule er, string? ns, string namedPortProtocol, List<IpSetDefinition> ipSets, out Side side)
    {
        side = new Side([], [], [], [], [], [], [], []);
        string positive;
        try
        {
            positive = EntitySelector(er, ns);
        }
        catch (SelectorSyntaxException)
        {
            return false;
        }

        var negative = er.NotSelector ?? "";

        // Upstream's combineMatchesIfPossible: with a positive selector the negation only narrows it.
        if (positive.Length > 0 && negative.Length > 0)
        {
            positive = $"({positive}) && (!({negative}))";
            negative = "";
        }

        Selector? positiveSel = null;
        Selector? negativeSel = null;
        if ((positive.Length > 0 && !Selector.TryParse(positive, out positiveSel, out _))
            || (negative.Length > 0 && !Selector.TryParse(negative, out negativeSel, out _)))
        {
            return false;
        }

        AddNets(er.Nets, side.Nets);
        AddNets(er.NotNets, side.NotNets);

        var namedPorts = SplitPorts(er.Ports, side.Ports);
        var notNamedPorts = SplitPorts(er.NotPorts, side.NotPorts);
        var namedPortSelector = positiveSel ?? Selector.All;
        foreach (var name in namedPorts)
        {
            var def = IpSetDefinition.ForNamedPort(namedPortSelector, namedPortProtocol, name);
            side.NamedPortIds.Add(def.Id);
            ipSets.Add(def);
        }

        foreach (var name in notNamedPorts)
        {
            var def = IpSetDefinition.ForNamedPort(namedPortSelector, namedPortProtocol, name);
            side.NotNamedPortIds.Add(def.Id);
            ipSets.Add(def);
        }

        // With only named ports the named-port sets already carry the selector (upstream's optimisation).
        if (positiveSel is not null && (side.Ports.Count > 0 || namedPorts.Count == 0))
        {
            var def = IpSetDefinition.ForSelector(positiveSel);
            side.IpSetIds.Add(def.Id);
            ipSets.Add(def);
        }

        if (negativeSel is not null)
        {
            var def = IpSetDefinition.ForSelector(negativeSel);
            side.NotIpSetIds.Add(def.Id);
            ipSets.Add(def);
        }

        return true;
    }

    /// <summary>Upstream <c>getEndpointSelector</c>: the rule side's positive selector text, namespace-scoped.</summary>
    public static string EntitySelector(EntityRule er, string? ns)
    {
        var nsSelector = "";
        var hasNamespaceSelector = !string.IsNullOrEmpty(er.NamespaceSelector);
        if (hasNamespaceSelector)
        {
            nsSelector = Selector.Parse(er.NamespaceSelector!).WithLabelPrefix(NamespacePrefix).Canonical
                .Replace("all()", $"has({NamespaceLabel})", StringComparison.Ordinal)
                .Replace("global()", $"!has({NamespaceLabel})", StringComparison.Ordinal);
        }
        else if (!string.IsNullOrEmpty(ns))
        {
            nsSelector = $"{NamespaceLabel} == '{ns}'";
        }

        var saSelector = er.ServiceAccounts is null ? "" : ServiceAccountSelector(er.ServiceAccounts);
        var endpointSelector = er.Selector ?? "";
        string selector;
        if (saSelector.Length > 0 && endpointSelector.Length > 0)
        {
            selector = $"({saSelector}) && ({endpointSelector})";
        }
        else
        {
            selector = saSelector.Length > 0 ? saSelector : endpointSelector;
        }

        if (nsSelector.Length > 0 && (selector.Length > 0 || !string.IsNullOrEmpty(er.NotSelector) || hasNamespaceSelector))
        {
            selector = selector.Length > 0 ? $"({nsSelector}) && ({selector})" : nsSelector;
        }

        return selector;
    }

    private static string ServiceAccountSelector(ServiceAccountMatch sam)
    {
        var updated = string.IsNullOrEmpty(sam.Selector) ? "" : Selector.Parse(sam.Selector).WithLabelPrefix(ServiceAccountPrefix).Canonical;
        if (sam.Names is not { Count: > 0 })
        {
            return updated;
        }

        var names = Selector.Parse($"{ServiceAccountLabel} in {{ '{string.Join("', '", sam.Names)}' }}").Canonical;
        return updated.Length > 0 ? $"({updated}) && ({names})" : names;
    }

    /// <summary>Upstream's NetworkPolicy selector: ANDed with the namespace, then the service-account selector.</summary>
    public static Selector PolicySelector(string? selector, string? ns, string? serviceAccountSelector)
    {
        var text = selector ?? "";
        if (!string.IsNullOrEmpty(ns))
        {
            var nsSelector = $"{NamespaceLabel} == '{ns}'";
            text = text.Length == 0 ? nsSelector : $"({text}) && {nsSelector}";
        }

        text = PrefixAndAppend(text, serviceAccountSelector, ServiceAccountPrefix);
        return Selector.Parse(text);
    }

    /// <summary>Upstream's GlobalNetworkPolicy selector: namespace and service-account selectors prefixed, then every all() rewritten.</summary>
    public static Selector GlobalPolicySelector(string? selector, string? namespaceSelector, string? serviceAccountSelector)
    {
        var text = selector ?? "";
        if (!string.IsNullOrEmpty(namespaceSelector))
        {
            text = PrefixAndAppend(text, namespaceSelector, NamespacePrefix)
                .Replace("all()", $"has({NamespaceLabel})", StringComparison.Ordinal);
        }

        if (!string.IsNullOrEmpty(serviceAccountSelector))
        {
            text = PrefixAndAppend(text, serviceAccountSelector, ServiceAccountPrefix)
                .Replace("all()", $"has({ServiceAccountLabel})", StringComparison.Ordinal);
        }

        return Selector.Parse(text);
    }

    private static string PrefixAndAppend(string current, string? added, string prefix)
    {
        if (string.IsNullOrEmpty(added))
        {
            return current;
        }

        var prefixed = Selector.Parse(added).WithLabelPrefix(prefix).Canonical;
        return current.Length > 0 ? $"({current}) && {prefixed}" : prefixed;
    }

    private static bool TryAction(string action, out RuleAction result)
    {
        switch (action)
        {
            case "Allow":
            case "allow":
                result = RuleAction.Allow;
                return true;
            case "Deny":
            case "deny":
                result = RuleAction.Deny;
                return true;
            case "Pass":
            case "pass":
            case "next-tier":
                result = RuleAction.Pass;
                return true;
            case "Log":
            case "log":
                result = RuleAction.Log;
                return true;
            default:
                result = RuleAction.Deny;
                return false;
        }
    }

    public static bool TryProtocolNumber(Protocol protocol, out int? number)
    {
        if (protocol.Number is { } n)
        {
            number = n;
            return true;
        }

        number = protocol.Name?.ToUpperInvariant() switch
        {
            "TCP" => 6,
            "UDP" => 17,
            "ICMP" => 1,
            "ICMPV6" => 58,
            "SCTP" => 132,
            "UDPLITE" => 136,
            _ => null,
        };
        return number is not null;
    }

    /// <summary>Upstream <c>ipsetmember.ProtocolFrom</c>: UDP and SCTP by name or number, anything else TCP; no protocol = any.</summary>
    private static string NamedPortProtocol(Protocol? protocol)
    {
        if (protocol is null)
        {
            return "any";
        }

        return EndpointPortProtocol(protocol);
    }

    /// <summary>An endpoint port's protocol as named-port members spell it (tcp when not given).</summary>
    public static string EndpointPortProtocol(Protocol? protocol)
    {
        if (protocol is null)
        {
            return "tcp";
        }

        if (protocol.Number is { } n)
        {
            return n switch
            {
                17 => "udp",
                132 => "sctp",
                _ => "tcp",
            };
        }

        return protocol.Name?.ToUpperInvariant() switch
        {
            "UDP" => "udp",
            "SCTP" => "sctp",
            _ => "tcp",
        };
    }

    private static List<string> SplitPorts(List<Port>? ports, List<PortRange> numeric)
    {
        var named = new List<string>();
        if (ports is null)
        {
            return named;
        }

        foreach (var port in ports)
        {
            if (port.IsNamed)
            {
                named.Add(port.PortName!);
            }
            else
            {
                numeric.Add(new PortRange(port.MinPort, port.MaxPort));
            }
        }

        return named;
    }

    private static void AddNets(List<string>? nets, List<string> output)
    {
        if (nets is null)
        {
            return;
        }

        foreach (var net in nets)
        {
            if (TryNormaliseCidr(net, out var cidr))
            {
                output.Add(cidr);
            }
        }
    }

    /// <summary>A CIDR masked to its network, or a bare address as /32 or /128 (Go's ParseCIDROrIP).</summary>
    public static bool TryNormaliseCidr(string text, out string cidr)
    {
        if (text.Contains('/', StringComparison.Ordinal))
        {
            if (Cidr.TryParse(text, out var net))
            {
                cidr = Cidr.Format(net);
                return true;
            }
        }
        else if (Cidr.TryParseAddress(text, out var address))
        {
            cidr = address + (address.AddressFamily == AddressFamily.InterNetwork ? "/32" : "/128");
            return true;
        }

        cidr = "";
        return false;
    }
}
