namespace Calico.Api;

public static partial class ResourceValidator
{
    private const string ProtocolPortsMsg = "rules that specify ports must set protocol to TCP or UDP or SCTP";
    private const string ProtocolSingleOrRangePortsMsg = "rules with numeric port or port range must set protocol to TCP or UDP or SCTP";
    private const string GlobalSelectorOnly = "global() cannot be combined with other selectors";

    private static void ValidateRules(Errors errors, List<Rule>? rules, string direction)
    {
        if (rules is null)
            return;
        if (rules.Count > 1024)
            errors.Add(direction, null, "must have at most 1024 items");
        foreach (var rule in rules)
            ValidateRule(errors, rule);
    }

    private static void ValidateRule(Errors errors, Rule rule)
    {
        if (rule.Action is not ("Allow" or "Deny" or "Log" or "Pass"))
            errors.Add("Action", rule.Action, "Reason: failed to validate Field: Action because of Tag: action ");
        if (rule.IpVersion is { } v && v is not (4 or 6))
            errors.Add("IPVersion", Str(rule.IpVersion), "Reason: failed to validate Field: IPVersion because of Tag: ipVersion ");
        CheckProtocol(errors, rule.Protocol);
        CheckProtocol(errors, rule.NotProtocol);
        CheckIcmp(errors, rule.Icmp);
        CheckIcmp(errors, rule.NotICMP);

        // Ports need a protocol that has them; with no protocol only named ports are allowed.
        (string Field, List<Port>? Ports)[] portFields =
        [
            ("Source.Ports", rule.Source.Ports), ("Source.NotPorts", rule.Source.NotPorts),
            ("Destination.Ports", rule.Destination.Ports), ("Destination.NotPorts", rule.Destination.NotPorts),
        ];
        foreach (var (field, ports) in portFields)
        {
            if (ports is not { Count: > 0 })
                continue;
            if (ports.Count > 50)
                errors.Add(field, null, "must have at most 50 items");
            foreach (var p in ports)
                CheckPort(errors, p);
            if (rule.Protocol is null)
            {
                if (!ports.TrueForAll(p => p.IsNamed))
                    errors.Add(field, FormatPorts(ports), ProtocolSingleOrRangePortsMsg);
            }
            else if (!rule.Protocol.SupportsPorts)
            {
                errors.Add(field, FormatPorts(ports), ProtocolPortsMsg);
            }
        }

        // ICMP consistency (CEL rules on Rule).
        if (rule.Icmp is not null && rule.Protocol is not { IsIcmp: true } and not { IsIcmpV6: true })
            errors.Add("Rule", null, "ICMP fields require protocol to be ICMP or ICMPv6");
        foreach (var proto in new[] { rule.Protocol, rule.NotProtocol })
        {
            if (proto is { IsIcmp: true } && rule.IpVersion is { } iv4 && iv4 != 4)
                errors.Add("Rule", null, "protocol ICMP requires ipVersion 4");
            if (proto is { IsIcmpV6: true } && rule.IpVersion is { } iv6 && iv6 != 6)
                errors.Add("Rule", null, "protocol ICMPv6 requires ipVersion 6");
        }
        if (rule.Http is { } http)
        {
            if (rule.Protocol is not null && rule.Protocol.Name != Protocol.Tcp && rule.Protocol.Number != 6)
                errors.Add("Rule", null, "rules with HTTP match must have protocol TCP or unset");
            if (rule.Action != "Allow")
                errors.Add("Rule", null, "HTTP match is only valid on Allow rules");
            ForEach(http.Methods, m =>
            {
                if (string.IsNullOrEmpty(m) || m.Any(char.IsWhiteSpace))
                    errors.Add("Methods", m, "invalid HTTP method");
            });
            if (http.Methods is { } methods && methods.Distinct(StringComparer.Ordinal).Count() != methods.Count)
                errors.Add("Methods", "[" + string.Join(" ", methods) + "]", "Invalid methods (duplicates)");
            ForEach(http.Paths, p =>
            {
                if (!string.IsNullOrEmpty(p.Exact) && !string.IsNullOrEmpty(p.Prefix))
                {
                    errors.Add("Paths", null, "Invalid path match. Both 'exact' and 'prefix' are set");
                    return;
                }
                var v = string.IsNullOrEmpty(p.Exact) ? p.Prefix : p.Exact;
                if (string.IsNullOrEmpty(v))
                    errors.Add("Paths", null, "Invalid path match. Either 'exact' or 'prefix' must be set");
                else if (!v.StartsWith('/') || v.AsSpan().IndexOfAny("? #") >= 0)
                    errors.Add("Paths", v, "Invalid path " + v + ". (must start with `/` and not contain `?` or `#`");
            });
        }
        if (rule.Metadata?.Annotations is { } ruleAnnotations)
            ValidateAnnotations(errors, ruleAnnotations);
        if (rule.Destination.Services is not null && (rule.Destination.Ports is { Count: > 0 } || rule.Destination.NotPorts is { Count: > 0 }))
            errors.Add("Rule", null, "ports and notPorts cannot be specified with services");

        ValidateEntityRule(errors, rule.Source, "Source");
        ValidateEntityRule(errors, rule.Destination, "Destination");

        var seenV4 = false;
        var seenV6 = false;
        ScanNets(rule.Source.Nets, "Source.Nets");
        ScanNets(rule.Source.NotNets, "Source.NotNets");
        ScanNets(rule.Destination.Nets, "Destination.Nets");
        ScanNets(rule.Destination.NotNets, "Destination.NotNets");

        void ScanNets(List<string>? nets, string field)
        {
            if (nets is null)
                return;
            if (nets.Count > 256)
                errors.Add(field, null, "must have at most 256 items");
            bool v4 = false, v6 = false;
            var negated = field.EndsWith("NotNets", StringComparison.Ordinal);
            foreach (var n in nets)
            {
                if (!TryParseCidrOrIp(n, out var net))
                {
                    errors.Add(field, n, "invalid CIDR");
                    continue;
                }
                var family = Cidr.Family(net);
                v4 |= family == 4;
                v6 |= family == 6;
                if (negated && net.PrefixLength == 0)
                    errors.Add(field, n, "catch-all CIDR in negation creates logical contradiction (matches no traffic)");
            }
            if (rule.IpVersion is { } ipVersion && ((v4 && ipVersion != 4) || (v6 && ipVersion != 6)))
                errors.Add(field, null, "rule IP version doesn't match CIDR version");
            if ((v4 && seenV6) || (v6 && seenV4) || (v4 && v6))
                errors.Add(field, "[" + string.Join(" ", nets) + "]", "rule contains both IPv4 and IPv6 CIDRs");
            seenV4 |= v4;
            seenV6 |= v6;
        }
    }

    private static string FormatPorts(List<Port> ports) => "[" + string.Join(" ", ports) + "]";

    private static void CheckPort(Errors errors, Port p)
    {
        if (p.IsNamed)
        {
            if (!Port.IsValidName(p.PortName!))
                errors.Add("Port", p.PortName, "Reason: failed to validate Field: PortName because of Tag: portName ");
            return;
        }
        if (p.MinPort > p.MaxPort)
            errors.Add("Port", p.MaxPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "port range invalid");
        else if (p.MinPort < 1)
            errors.Add("Port", p.MinPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "port range invalid, port number must be between 1 and 65535");
    }

    private static void CheckProtocol(Errors errors, Protocol? p)
    {
        if (p is null)
            return;
        if (p.Number is { } n)
        {
            if (n == 0)
                errors.Add("Protocol", "0", "protocol number invalid");
        }
        else if (Array.IndexOf(Protocol.Names, p.Name) < 0)
        {
            errors.Add("Protocol", p.Name, "protocol name invalid");
        }
    }

    private static void CheckIcmp(Errors errors, ICMPFields? icmp)
    {
        if (icmp is null)
            return;
        if (icmp.Type is < 0 or > 254)
            errors.Add("Type", Str(icmp.Type), "Reason: failed to validate Field: Type because of Tag: lte ");
        if (icmp.Code is < 0 or > 255)
            errors.Add("Code", Str(icmp.Code), "Reason: failed to validate Field: Code because of Tag: lte ");
        if (icmp.Code is not null && icmp.Type is null)
            errors.Add("ICMPFields", null, "ICMP code specified without an ICMP type");
    }

    private static void ValidateEntityRule(Errors errors, EntityRule e, string side)
    {
        if (e.Selector?.Contains("global(", StringComparison.Ordinal) == true)
            errors.Add(side + ".Selector", e.Selector, "global() can only be used in an EntityRule namespaceSelector");
        else
            CheckSelector(errors, "Selector", e.Selector);
        CheckSelector(errors, "NotSelector", e.NotSelector);
        if (e.NamespaceSelector is { } nsSel && nsSel.Contains("global(", StringComparison.Ordinal))
        {
            if (nsSel.Trim() != "global()")
                errors.Add("NamespaceSelector field", nsSel, GlobalSelectorOnly);
        }
        else
        {
            CheckSelector(errors, "NamespaceSelector", e.NamespaceSelector);
        }
        if (e.ServiceAccounts is { } sa)
            CheckSelector(errors, "Selector", sa.Selector);
        if (e.Services is { } svc)
        {
            if (!string.IsNullOrEmpty(e.NamespaceSelector))
                errors.Add("EntityRule", null, "cannot specify NamespaceSelector and Services on the same rule");
            if (e.ServiceAccounts is not null)
                errors.Add("EntityRule", null, "cannot specify ServiceAccounts and Services on the same rule");
            if (string.IsNullOrEmpty(svc.Name))
                errors.Add("EntityRule", null, "services must specify a service name");
            if (!string.IsNullOrEmpty(e.Selector) || !string.IsNullOrEmpty(e.NotSelector))
                errors.Add("EntityRule", null, "cannot specify Selector/NotSelector and Services on the same rule");
            if (e.Nets is { Count: > 0 } || e.NotNets is { Count: > 0 })
                errors.Add("EntityRule", null, "cannot specify Nets/NotNets and Services on the same rule");
        }
    }
}
