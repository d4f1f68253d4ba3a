using Calico.Felix.Rules.Planning;
using Calico.Linux.Nft;
using Calico.Nftables;

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
        bool IsIntervalSet(string name) => next.SetsByName.TryGetValue(name, out NftSet? set) && set.Type.Interval;

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

                if (KindOf(step.Set.Type) is not { } kind)
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

                NftChainHeader header = step.Chain.Header;
                transaction.AddBaseChain(step.Name, NameOf(header.Type), NameOf(header.Hook), header.Priority.Value, header.PolicyAccept);
                return null;
            case NftStepKind.FlushChain:
                transaction.FlushChain(step.Name);
                return null;
            case NftStepKind.AddRule:
                if (!rules.Encode(step.Rule!, isIntervalSet, out NfTablesRule? rule, out string? reason))
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
            foreach (NftElement element in step.Elements)
            {
                if (element.Key is not NftInterfaceName { Wildcard: false } key)
                {
                    return $"map {step.Name} element not encoded: {element}";
                }

                changes.Add(new MapElementChange(add, key.Name, add ? element.Value!.ToString() : null));
            }

            transaction.ChangeMapElements(step.Name, changes);
            return null;
        }

        if (KindOf(set.Type) is not { } kind)
        {
            return $"set {step.Name} has a declaration the netlink codec does not encode";
        }

        var setChanges = new SetElementChange[step.Elements!.Count];
        for (int i = 0; i < setChanges.Length; i++)
        {
            setChanges[i] = new SetElementChange(step.Name, kind, add, step.Elements[i].Text);
        }

        transaction.ChangeElements(setChanges);
        return null;
    }

    private static bool IsVerdictMap(NftSet map) =>
        map.Type is { MapValue: NftDataType.Verdict, Interval: false, Key: [NftDataType.Ifname] };

    private static string NameOf(NftChainType type) => type switch
    {
        NftChainType.Filter => "filter",
        NftChainType.Nat => "nat",
        _ => "route",
    };

    private static string NameOf(NftHook hook) => hook switch
    {
        NftHook.Prerouting => "prerouting",
        NftHook.Input => "input",
        NftHook.Forward => "forward",
        NftHook.Output => "output",
        _ => "postrouting",
    };

    /// <summary>The netlink encoding for a set declaration our renderer writes; null for any other.</summary>
    internal static NftSetKind? KindOf(NftSetType type)
    {
        if (type.IsMap)
        {
            return null;
        }

        return (type.Key, type.Interval) switch
        {
            ([NftDataType.Ipv4Addr], true) => NftSetKind.Ipv4Prefix,
            ([NftDataType.Ipv6Addr], true) => NftSetKind.Ipv6Prefix,
            ([NftDataType.Ipv4Addr], false) => NftSetKind.Ipv4Addr,
            ([NftDataType.Ipv6Addr], false) => NftSetKind.Ipv6Addr,
            ([NftDataType.Ipv4Addr, NftDataType.InetProto, NftDataType.InetService], false) => NftSetKind.Ipv4PortConcat,
            ([NftDataType.Ipv6Addr, NftDataType.InetProto, NftDataType.InetService], false) => NftSetKind.Ipv6PortConcat,
            ([NftDataType.Ipv4Addr, NftDataType.InetProto], true) => NftSetKind.Ipv4ProtoInterval,
            ([NftDataType.Ipv6Addr, NftDataType.InetProto], true) => NftSetKind.Ipv6ProtoInterval,
            ([NftDataType.Ipv4Addr, NftDataType.InetProto, NftDataType.InetService], true) => NftSetKind.Ipv4ProtoPortInterval,
            ([NftDataType.Ipv6Addr, NftDataType.InetProto, NftDataType.InetService], true) => NftSetKind.Ipv6ProtoPortInterval,
            _ => null,
        };
    }
}
