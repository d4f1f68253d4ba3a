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

        IReadOnlyList<PortRange> srcPorts = rule.SrcPorts;
        IReadOnlyList<PortRange> dstPorts = rule.DstPorts;
        if (rule.SrcNamedPortIpSetIds.Count + rule.DstNamedPortIpSetIds.Count + rule.NotSrcNamedPortIpSetIds.Count + rule.NotDstNamedPortIpSetIds.Count > 0)
        {
            // Named ports need IP+port sets (later). Never widen what the rule allows: an Allow or Log is left out, a
            // Deny or Pass becomes a Deny over the rule without its port conditions on the named side (a wider deny).
            string where = $"{origin} ({(inbound ? "ingress" : "egress")})";
            if (action is FlatAction.Allow or FlatAction.Log)
            {
                ctx.Issues.Add(new BpfCompileIssue(where, "named ports are not supported by the BPF datapath yet: rule left out (allows less)"));
                return;
            }

            ctx.Issues.Add(new BpfCompileIssue(where, "named ports are not supported by the BPF datapath yet: rule enforced as a Deny without its port conditions (denies more)"));
            action = FlatAction.Deny;
            if (rule.SrcNamedPortIpSetIds.Count > 0)
            {
                srcPorts = [];
            }

            if (rule.DstNamedPortIpSetIds.Count > 0)
            {
                dstPorts = [];
            }
        }

        List<uint> srcSets = Sets(ctx, rule.SrcNets, rule.SrcIpSetIds);
        List<uint> notSrcSets = Sets(ctx, rule.NotSrcNets, rule.NotSrcIpSetIds);
        List<uint> dstSets = Sets(ctx, rule.DstNets, rule.DstIpSetIds);
        List<uint> notDstSets = Sets(ctx, rule.NotDstNets, rule.NotDstIpSetIds);

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
            SrcSets = CompileContext.Chunk(srcSets, 0, BpfMapLayout.RuleSets),
            NotSrcSets = CompileContext.Chunk(notSrcSets, 0, BpfMapLayout.RuleSets),
            DstSets = CompileContext.Chunk(dstSets, 0, BpfMapLayout.RuleSets),
            NotDstSets = CompileContext.Chunk(notDstSets, 0, BpfMapLayout.RuleSets),
            NotSrcPorts = CompileContext.Chunk(rule.NotSrcPorts, 0, BpfMapLayout.RulePorts),
            NotDstPorts = CompileContext.Chunk(rule.NotDstPorts, 0, BpfMapLayout.RulePorts),
            Origin = origin,
        };

        // What one entry cannot hold of the AND: guards in front of the group.
        var guards = new List<FlatRule>();
        AddGuards(guards, srcSets, BpfMapLayout.RuleSets, origin, static (r, c) => r with { SrcSets = c });
        AddGuards(guards, notSrcSets, BpfMapLayout.RuleSets, origin, static (r, c) => r with { NotSrcSets = c });
        AddGuards(guards, dstSets, BpfMapLayout.RuleSets, origin, static (r, c) => r with { DstSets = c });
        AddGuards(guards, notDstSets, BpfMapLayout.RuleSets, origin, static (r, c) => r with { NotDstSets = c });
        AddGuards(guards, rule.NotSrcPorts, BpfMapLayout.RulePorts, origin, static (r, c) => r with { NotSrcPorts = c });
        AddGuards(guards, rule.NotDstPorts, BpfMapLayout.RulePorts, origin, static (r, c) => r with { NotDstPorts = c });

        List<ImmutableArray<PortRange>> srcAlternatives = Alternatives(srcPorts);
        List<ImmutableArray<PortRange>> dstAlternatives = Alternatives(dstPorts);
        uint groupEnd = (uint)(fragment.Count + guards.Count + (srcAlternatives.Count * dstAlternatives.Count));
        foreach (FlatRule guard in guards)
        {
            fragment.Add(guard with { Jump = groupEnd });
        }

        foreach (ImmutableArray<PortRange> src in srcAlternatives)
        {
            foreach (ImmutableArray<PortRange> dst in dstAlternatives)
            {
                fragment.Add(template with { SrcPorts = src, DstPorts = dst });
            }
        }
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

    private static void AddGuards<T>(List<FlatRule> guards, IReadOnlyList<T> items, int perRule, FlatRuleOrigin origin, Func<FlatRule, ImmutableArray<T>, FlatRule> fill)
    {
        for (int start = perRule; start < items.Count; start += perRule)
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
