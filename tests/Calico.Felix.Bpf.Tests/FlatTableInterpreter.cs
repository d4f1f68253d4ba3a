using System.Net;
using Calico.Felix.Bpf;

namespace Calico.Felix.Bpf.Tests;

/// <summary>A packet as the program parses it (ports absent for protocols without them).</summary>
internal sealed record TestPacket(string Source, string Destination, byte Protocol, int? SourcePort = null, int? DestinationPort = null, byte? IcmpType = null, byte? IcmpCode = null)
{
    public static TestPacket Tcp(string src, string dst, int dport, int sport = 40000) => new(src, dst, 6, sport, dport);

    public static TestPacket Udp(string src, string dst, int dport, int sport = 40000) => new(src, dst, 17, sport, dport);

    public static TestPacket Icmp(string src, string dst, byte type, byte code = 0) => new(src, dst, 1, null, null, type, code);
}

/// <summary>
/// Walks a compiled rule table the way bpf/calico_tc.c's eval_rule does (a test oracle for the compiler's output,
/// kept line by line beside the C so the unit tests check semantics, not shapes).
/// </summary>
internal static class FlatTableInterpreter
{
    public static FlatAction Verdict(BpfPolicyPlan plan, uint tableId, TestPacket packet) => Walk(plan, tableId, packet).Verdict;

    public static (FlatAction Verdict, List<int> Counted) Walk(BpfPolicyPlan plan, uint tableId, TestPacket packet)
    {
        var rules = plan.Tables[tableId].Rules;
        var counted = new List<int>();
        int index = 0;
        while (index < rules.Length)
        {
            FlatRule rule = rules[index];
            bool matched = Matches(plan, rule, packet);
            switch (rule.Action)
            {
                case FlatAction.Allow or FlatAction.Deny when matched:
                    counted.Add(index);
                    return (rule.Action, counted);
                case FlatAction.Log when matched:
                    counted.Add(index);
                    break;
                case FlatAction.Goto when matched:
                    counted.Add(index);
                    Assert.True(rule.Jump > index, "jumps go forward");
                    index = (int)rule.Jump;
                    continue;
                case FlatAction.Next when !matched:
                    Assert.True(rule.Jump > index, "jumps go forward");
                    index = (int)rule.Jump;
                    continue;
            }

            index++;
        }

        throw new InvalidOperationException("ran off the table: every table must end with a verdict");
    }

    private static bool Matches(BpfPolicyPlan plan, FlatRule r, TestPacket p)
    {
        var src = IpSetMember.Parse(p.Source);
        var dst = IpSetMember.Parse(p.Destination);
        bool hasPorts = p.Protocol is 6 or 17 or 132 or 136;
        bool isIcmp = p.Protocol == 1;
        if (r.Run != 0)
        {
            return RunMatches(plan, r, r.RunOnDestination ? dst : src, p, hasPorts);
        }

        if (r.IpVersion != 0 && r.IpVersion != src.Family)
        {
            return false;
        }

        if ((r.Protocol is byte proto && p.Protocol != proto) || (r.NotProtocol is byte notProto && p.Protocol == notProto))
        {
            return false;
        }

        if (!r.SrcSets.All(s => InSet(plan, s, src)) || r.NotSrcSets.Any(s => InSet(plan, s, src))
            || !r.DstSets.All(s => InSet(plan, s, dst)) || r.NotDstSets.Any(s => InSet(plan, s, dst)))
        {
            return false;
        }

        if ((!r.SrcPorts.IsEmpty && (!hasPorts || !r.SrcPorts.Any(x => x.Contains(p.SourcePort!.Value))))
            || (!r.DstPorts.IsEmpty && (!hasPorts || !r.DstPorts.Any(x => x.Contains(p.DestinationPort!.Value)))))
        {
            return false;
        }

        if (hasPorts && (r.NotSrcPorts.Any(x => x.Contains(p.SourcePort!.Value)) || r.NotDstPorts.Any(x => x.Contains(p.DestinationPort!.Value))))
        {
            return false;
        }

        if ((r.IcmpType is byte t && (!isIcmp || p.IcmpType != t)) || (r.IcmpCode is byte c && (!isIcmp || p.IcmpCode != c)))
        {
            return false;
        }

        return !(r.NotIcmpType is byte nt && isIcmp && p.IcmpType == nt && (r.NotIcmpCode is not byte nc || p.IcmpCode == nc));
    }

    /// <summary>
    /// calico_tc.c's run_matches over the plan's entries, the trie's way: only the longest prefix under the packet's
    /// protocol answers (its port set, 0 = any), then, when the run has any, the longest under the any-protocol key.
    /// </summary>
    private static bool RunMatches(BpfPolicyPlan plan, FlatRule r, IpSetMember address, TestPacket p, bool hasPorts)
    {
        BpfRuleRun run = plan.Runs[r.Run];
        BpfRunEntry? longest = Longest(run, p.Protocol, address);
        if (longest is not null && (longest.PortSet == 0
            || (hasPorts && plan.PortSets[longest.PortSet].Ranges.Any(x => x.Contains(p.DestinationPort!.Value)))))
        {
            return true;
        }

        return r.RunAnyProtocol && Longest(run, BpfMapLayout.RunAnyProtocol, address) is not null;
    }

    private static BpfRunEntry? Longest(BpfRuleRun run, ushort protocol, IpSetMember address) =>
        run.Entries.Where(e => e.Protocol == protocol && e.Prefix.Family == address.Family && Contains(e.Prefix, address))
            .MaxBy(static e => e.Prefix.PrefixLength);

    private static bool Contains(IpSetMember prefix, IpSetMember address) =>
        new IPNetwork(new IPAddress(prefix.Family == 4 ? prefix.Address.AsSpan(0, 4) : prefix.Address), prefix.PrefixLength)
            .Contains(new IPAddress(address.Family == 4 ? address.Address.AsSpan(0, 4) : address.Address));

    private static bool InSet(BpfPolicyPlan plan, uint set, IpSetMember address)
    {
        foreach (IpSetMember member in plan.IpSets[set].Members)
        {
            if (member.Family == address.Family && new IPNetwork(new IPAddress(member.Family == 4 ? member.Address.AsSpan(0, 4) : member.Address), member.PrefixLength)
                    .Contains(new IPAddress(address.Family == 4 ? address.Address.AsSpan(0, 4) : address.Address)))
            {
                return true;
            }
        }

        return false;
    }
}
