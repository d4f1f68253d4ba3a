using Calico.Felix.Rules;
using Calico.Felix.Rules.Planning;
using Calico.Linux.Nft;

namespace Calico.Felix.Dataplane.Nftables;

/// <summary>
/// The netlink sink of an <see cref="NftPlan"/>: the same steps, in the same order, as one nf_tables transaction.
/// A step the netlink encoders do not cover (a set type they do not know, a rule the encoder refuses) makes the
/// whole plan go through <c>nft -f</c> instead; the reason is returned for the log.
/// </summary>
public static class NftNetlinkSink
{
    public static NfTablesTransaction? TryBuild(NftPlan plan, RuleEncoding rules, out string? fallbackReason)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(rules);
        var transaction = new NfTablesTransaction("inet", NftPlanner.TableName);
        NftTable next = plan.Next;
        bool IsIntervalSet(string name) =>
            next.SetsByName.TryGetValue(name, out NftSet? set) && set.Declaration.Any(line => line.Contains("interval", StringComparison.Ordinal));

        if (plan.IsFullReplacement || plan.Steps.Any(s => s.Kind == NftStepKind.DeleteSet))
        {
            rules.Clear(); // a set declared anew may encode lookups of it differently
        }

        foreach (NftStep step in plan.Steps)
        {
            fallbackReason = Add(transaction, step, rules, IsIntervalSet);
            if (fallbackReason is not null)
            {
                return null;
            }
        }

        fallbackReason = null;
        return transaction;
    }

    private static string? Add(NfTablesTransaction transaction, NftStep step, RuleEncoding rules, Func<string, bool> isIntervalSet)
    {
        switch (step.Kind)
        {
            case NftStepKind.ReplaceTable:
                transaction.AddTable();
                transaction.DeleteTable();
                transaction.AddTable();
                return null;
            case NftStepKind.AddSet:
                if (step.Set!.IsMap)
                {
                    if (!IsVerdictMap(step.Set))
                    {
                        return $"map {step.Name} is not an ifname : verdict map";
                    }

                    transaction.AddVerdictMap(step.Name);
                    return null;
                }

                if (KindOf(step.Set.Declaration) is not { } kind)
                {
                    return $"set {step.Name} has a declaration the netlink codec does not encode";
                }

                transaction.AddSet(step.Name, kind);
                return null;
            case NftStepKind.AddElements:
            case NftStepKind.DeleteElements:
                return ChangeElements(transaction, step);
            case NftStepKind.AddChain:
                if (step.Chain!.Header is null)
                {
                    transaction.AddChain(step.Name);
                    return null;
                }

                if (BaseChainHeader.TryParse(step.Chain.Header) is not { } header || header.Hook is not ("prerouting" or "input" or "forward" or "output" or "postrouting") || header.Type is not ("filter" or "nat" or "route"))
                {
                    return $"base chain {step.Name} header not encoded: {step.Chain.Header}";
                }

                transaction.AddBaseChain(step.Name, header.Type, header.Hook, header.Priority, header.PolicyAccept);
                return null;
            case NftStepKind.FlushChain:
                transaction.FlushChain(step.Name);
                return null;
            case NftStepKind.AddRule:
                if (!rules.Encode(step.Rule!, isIntervalSet, out NftRule? rule, out string? reason))
                {
                    return $"rule of {step.Name} not encoded ({reason}): {step.Rule}";
                }

                transaction.AppendRule(step.Name, rule!);
                return null;
            case NftStepKind.DeleteChain:
                transaction.DeleteChain(step.Name);
                return null;
            case NftStepKind.DeleteSet:
                transaction.DeleteSet(step.Name);
                return null;
            default:
                return $"step {step.Kind} unknown to the netlink sink";
        }
    }

    private static string? ChangeElements(NfTablesTransaction transaction, NftStep step)
    {
        bool add = step.Kind == NftStepKind.AddElements;
        NftSet set = step.Set!;
        if (set.IsMap)
        {
            if (!IsVerdictMap(set))
            {
                return $"map {step.Name} is not an ifname : verdict map";
            }

            var changes = new List<MapElementChange>(step.Elements!.Count);
            foreach (string element in step.Elements)
            {
                if (ParseMapElement(element, keyOnly: !add) is not { } parsed)
                {
                    return $"map {step.Name} element not parsed: {element}";
                }

                changes.Add(new MapElementChange(add, parsed.Key, parsed.Verdict));
            }

            transaction.ChangeMapElements(step.Name, changes);
            return null;
        }

        if (KindOf(set.Declaration) is not { } kind)
        {
            return $"set {step.Name} has a declaration the netlink codec does not encode";
        }

        var setChanges = new SetElementChange[step.Elements!.Count];
        for (int i = 0; i < setChanges.Length; i++)
        {
            setChanges[i] = new SetElementChange(step.Name, kind, add, step.Elements[i]);
        }

        transaction.ChangeElements(setChanges);
        return null;
    }

    private static bool IsVerdictMap(NftSet map) =>
        map.Declaration.Count == 1 && map.Declaration[0].Replace(";", "", StringComparison.Ordinal).Trim() == "type ifname : verdict";

    /// <summary><c>"key" : verdict</c> (or, for a delete, <c>"key"</c>); null when not of that form.</summary>
    internal static (string Key, string? Verdict)? ParseMapElement(string element, bool keyOnly)
    {
        int close = element.Length > 1 && element[0] == '"' ? element.IndexOf('"', 1) : -1;
        if (close < 0)
        {
            return null;
        }

        string key = element[1..close];
        ReadOnlySpan<char> rest = element.AsSpan(close + 1).Trim();
        if (rest.IsEmpty)
        {
            return keyOnly ? (key, null) : null;
        }

        if (!rest.StartsWith(": ", StringComparison.Ordinal))
        {
            return null;
        }

        return (key, rest[2..].Trim().ToString());
    }

    /// <summary>The netlink encoding for a set declaration our renderer writes; null for any other.</summary>
    internal static NftSetKind? KindOf(IReadOnlyList<string> declaration)
    {
        string? type = null;
        bool interval = false;
        foreach (string line in declaration)
        {
            string l = line.Trim().TrimEnd(';');
            if (l.StartsWith("type ", StringComparison.Ordinal))
            {
                type = l[5..].Trim();
            }
            else if (l == "flags interval")
            {
                interval = true;
            }
            else
            {
                return null; // other flags (timeouts, counters, ...) are not what the codec was written for
            }
        }

        return (type, interval) switch
        {
            ("ipv4_addr", true) => NftSetKind.Ipv4Prefix,
            ("ipv6_addr", true) => NftSetKind.Ipv6Prefix,
            ("ipv4_addr", false) => NftSetKind.Ipv4Addr,
            ("ipv6_addr", false) => NftSetKind.Ipv6Addr,
            ("ipv4_addr . inet_proto . inet_service", false) => NftSetKind.Ipv4PortConcat,
            ("ipv6_addr . inet_proto . inet_service", false) => NftSetKind.Ipv6PortConcat,
            ("ipv4_addr . inet_proto", true) => NftSetKind.Ipv4ProtoInterval,
            ("ipv6_addr . inet_proto", true) => NftSetKind.Ipv6ProtoInterval,
            ("ipv4_addr . inet_proto . inet_service", true) => NftSetKind.Ipv4ProtoPortInterval,
            ("ipv6_addr . inet_proto . inet_service", true) => NftSetKind.Ipv6ProtoPortInterval,
            _ => null,
        };
    }
}
