using System.Collections.Immutable;
using Calico.Api;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Bpf;

/// <summary>
/// One policy's or profile's rules for one direction as a fragment of flat rules. A rule wider than one entry is split
/// as the nftables renderer splits it: the OR of port ranges beyond <see cref="BpfMapLayout.RulePorts"/> becomes one
/// rule per alternative; the AND of sets or negated ports beyond one entry becomes leading
/// <see cref="FlatAction.Next"/> guards that skip the whole group when they do not match. Guards' jumps are relative to
/// the fragment's start; a Pass is a <see cref="FlatAction.Goto"/> whose target the linearisation fills in.
/// </summary>
internal static class RuleCompiler
{
    public static List<FlatRule> Compile(CompileContext ctx, IReadOnlyList<RuleModel> rules, FlatRuleOriginKind kind, string name, bool inbound)
    {
        var fragment = new List<FlatRule>(rules.Count);
        foreach (RuleModel rule in rules)
        {
            CompileRule(ctx, fragment, rule, new FlatRuleOrigin(kind, name, rule.Index), inbound);
        }

        return fragment;
    }

    private static void CompileRule(CompileContext ctx, List<FlatRule> fragment, RuleModel rule, FlatRuleOrigin origin, bool inbound)
    {
        RuleModelChecks.Validate(rule);
        int protocolFamily = rule.Protocol switch
        {
            1 => 4,
            58 => 6,
            _ => 0,
        };
        if (rule.IpVersion is int version && protocolFamily != 0 && protocolFamily != version)
        {
            return; // can match no packet (nft renders nothing for it either)
        }

        FlatAction action = rule.Action switch
        {
            RuleAction.Allow => FlatAction.Allow,
            RuleAction.Deny => FlatAction.Deny,
            RuleAction.Log => FlatAction.Log,
            RuleAction.Pass => FlatAction.Goto,
            _ => throw new ValidationException($"error with field action = '{rule.Action}' (unknown action)"),
        };

        List<uint> srcSets = Sets(ctx, rule.SrcNets, rule.SrcIpSetIds);
        List<uint> notSrcSets = Sets(ctx, rule.NotSrcNets, rule.NotSrcIpSetIds);
        List<uint> dstSets = Sets(ctx, rule.DstNets, rule.DstIpSetIds);
        List<uint> notDstSets = Sets(ctx, rule.NotDstNets, rule.NotDstIpSetIds);

        // Named ports: each (protocol, port) group of a named-port set is one more alternative of its side's ports,
        // carrying the group's address set; a slot of that side is kept free in every entry for it.
        List<Alternative> srcAlternatives = Alternatives(ctx, rule.SrcPorts, rule.SrcNamedPortIpSetIds, rule.Protocol);
        List<Alternative> dstAlternatives = Alternatives(ctx, rule.DstPorts, rule.DstNamedPortIpSetIds, rule.Protocol);
        if (srcAlternatives.Count == 0 || dstAlternatives.Count == 0)
        {
            return; // a side's port must be in one of no ranges and no named-port members: matches nothing
        }

        int srcInline = rule.SrcNamedPortIpSetIds.Count > 0 ? BpfMapLayout.RuleSets - 1 : BpfMapLayout.RuleSets;
        int dstInline = rule.DstNamedPortIpSetIds.Count > 0 ? BpfMapLayout.RuleSets - 1 : BpfMapLayout.RuleSets;

        var template = new FlatRule
        {
            Action = action,
            IpVersion = (byte)(rule.IpVersion ?? protocolFamily),
            Protocol = (byte?)rule.Protocol,
            NotProtocol = (byte?)rule.NotProtocol,
            IcmpType = (byte?)rule.IcmpType,
            IcmpCode = (byte?)rule.IcmpCode,
            NotIcmpType = (byte?)rule.NotIcmpType,
            NotIcmpCode = (byte?)rule.NotIcmpCode,
            SrcSets = CompileContext.Chunk(srcSets, 0, srcInline),
            NotSrcSets = CompileContext.Chunk(notSrcSets, 0, BpfMapLayout.RuleSets),
            DstSets = CompileContext.Chunk(dstSets, 0, dstInline),
            NotDstSets = CompileContext.Chunk(notDstSets, 0, BpfMapLayout.RuleSets),
            NotSrcPorts = CompileContext.Chunk(rule.NotSrcPorts, 0, BpfMapLayout.RulePorts),
            NotDstPorts = CompileContext.Chunk(rule.NotDstPorts, 0, BpfMapLayout.RulePorts),
            Origin = origin,
        };

        // What one entry cannot hold of the AND: guards in front of the group.
        var guards = new List<FlatRule>();
        AddGuards(guards, srcSets, srcInline, BpfMapLayout.RuleSets, origin, static (r, c) => r with { SrcSets = c });
        AddGuards(guards, notSrcSets, BpfMapLayout.RuleSets, BpfMapLayout.RuleSets, origin, static (r, c) => r with { NotSrcSets = c });
        AddGuards(guards, dstSets, dstInline, BpfMapLayout.RuleSets, origin, static (r, c) => r with { DstSets = c });
        AddGuards(guards, notDstSets, BpfMapLayout.RuleSets, BpfMapLayout.RuleSets, origin, static (r, c) => r with { NotDstSets = c });
        AddGuards(guards, rule.NotSrcPorts, BpfMapLayout.RulePorts, BpfMapLayout.RulePorts, origin, static (r, c) => r with { NotSrcPorts = c });
        AddGuards(guards, rule.NotDstPorts, BpfMapLayout.RulePorts, BpfMapLayout.RulePorts, origin, static (r, c) => r with { NotDstPorts = c });

        var entries = new List<FlatRule>(srcAlternatives.Count * dstAlternatives.Count);
        foreach (Alternative src in srcAlternatives)
        {
            foreach (Alternative dst in dstAlternatives)
            {
                if (src.Protocol is byte a && dst.Protocol is byte b && a != b)
                {
                    continue; // one packet has one protocol
                }

                entries.Add(template with
                {
                    Protocol = src.Protocol ?? dst.Protocol ?? template.Protocol,
                    SrcPorts = src.Ports,
                    DstPorts = dst.Ports,
                    SrcSets = src.Set is uint s1 ? [.. template.SrcSets, s1] : template.SrcSets,
                    DstSets = dst.Set is uint s2 ? [.. template.DstSets, s2] : template.DstSets,
                });
            }
        }

        if (entries.Count == 0)
        {
            return; // every pair of alternatives needs two protocols at once
        }

        // Negated named ports (nft's "address . protocol . port != @set"): one skip per (protocol, port) group of
        // each set, matched by exactly the pairs the rule excludes, jumping past the group.
        List<FlatRule> skips = NegatedNamedPortSkips(ctx, rule, template, origin);
        uint groupEnd = (uint)(fragment.Count + guards.Count + skips.Count + entries.Count);
        foreach (FlatRule guard in guards.Concat(skips))
        {
            fragment.Add(guard with { Jump = groupEnd });
        }

        fragment.AddRange(entries);
    }

    private static List<FlatRule> NegatedNamedPortSkips(CompileContext ctx, RuleModel rule, FlatRule template, FlatRuleOrigin origin)
    {
        var skips = new List<FlatRule>();
        foreach (bool source in new[] { true, false })
        {
            foreach (string id in source ? rule.NotSrcNamedPortIpSetIds : rule.NotDstNamedPortIpSetIds)
            {
                foreach (var (protocol, port, set) in ctx.NamedPortGroups(id))
                {
                    if (rule.Protocol is int p && p != protocol)
                    {
                        continue; // the rule's packets never have this group's protocol
                    }

                    var skip = new FlatRule { Action = FlatAction.Goto, SkipsGroup = true, IpVersion = template.IpVersion, Protocol = (byte)protocol, Origin = origin };
                    PortRange only = new(port, port);
                    skips.Add(source ? skip with { SrcPorts = [only], SrcSets = [set] } : skip with { DstPorts = [only], DstSets = [set] });
                }
            }
        }

        return skips;
    }

    /// <summary>One way a side's port condition holds: a chunk of numeric ranges, or one named-port group (its protocol, port and address set).</summary>
    private sealed record Alternative(ImmutableArray<PortRange> Ports, byte? Protocol = null, uint? Set = null);

    private static List<Alternative> Alternatives(CompileContext ctx, IReadOnlyList<PortRange> ports, IReadOnlyList<string> namedPortSets, int? ruleProtocol)
    {
        var result = new List<Alternative>();
        if (namedPortSets.Count == 0 || ports.Count > 0)
        {
            foreach (ImmutableArray<PortRange> chunk in Alternatives(ports))
            {
                result.Add(new Alternative(chunk));
            }
        }

        foreach (string id in namedPortSets)
        {
            foreach (var (protocol, port, set) in ctx.NamedPortGroups(id))
            {
                if (ruleProtocol is int p && p != protocol)
                {
                    continue; // the rule's protocol rules this group's port out
                }

                result.Add(new Alternative([new PortRange(port, port)], protocol, set));
            }
        }

        return result;
    }

    /// <summary>A side's nets (one trie set for the union) and named sets: the address must be in each.</summary>
    private static List<uint> Sets(CompileContext ctx, IReadOnlyList<string> nets, IReadOnlyList<string> ipSetIds)
    {
        var sets = new List<uint>(1 + ipSetIds.Count);
        if (nets.Count > 0)
        {
            sets.Add(ctx.NetsSet(nets));
        }

        foreach (string id in ipSetIds)
        {
            sets.Add(ctx.NamedSet(id));
        }

        return sets;
    }

    /// <summary>Guards for the items past the first <paramref name="inline"/> (which the entries hold), <paramref name="perRule"/> each.</summary>
    private static void AddGuards<T>(List<FlatRule> guards, IReadOnlyList<T> items, int inline, int perRule, FlatRuleOrigin origin, Func<FlatRule, ImmutableArray<T>, FlatRule> fill)
    {
        for (int start = inline; start < items.Count; start += perRule)
        {
            guards.Add(fill(new FlatRule { Action = FlatAction.Next, Origin = origin }, CompileContext.Chunk(items, start, perRule)));
        }
    }

    /// <summary>The OR of port ranges as one entry's worth each; one empty alternative when the side has no ports.</summary>
    private static List<ImmutableArray<PortRange>> Alternatives(IReadOnlyList<PortRange> ports)
    {
        var result = new List<ImmutableArray<PortRange>>();
        if (ports.Count == 0)
        {
            result.Add([]);
            return result;
        }

        for (int start = 0; start < ports.Count; start += BpfMapLayout.RulePorts)
        {
            result.Add(CompileContext.Chunk(ports, start, BpfMapLayout.RulePorts));
        }

        return result;
    }

}
