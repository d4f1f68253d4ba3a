using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Bpf.Tools;

/// <summary>A flat rule as an operator reads it: "Action: allow  Match: ipv4 proto=tcp src-sets={3 [10.65.0.2/32]} dst-ports=80".</summary>
public static class RuleText
{
    /// <summary>A set with at most this many members is shown with them (upstream resolves set ids to members); a larger one by its count.</summary>
    public const int ListedMembers = 4;

    /// <summary>
    /// The rule's action and conditions; <paramref name="setMembers"/> (set id → its members in cali_ipsets), when
    /// given, adds each set's members or their count (a set with none is flagged: nothing can be in it).
    /// </summary>
    /// <param name="runPrefixes">Run id → its entries in cali_runs (prefix and protocol key pairs), when known.</param>
    public static string Describe(FlatRule rule, IReadOnlyDictionary<uint, IReadOnlyList<string>>? setMembers = null, IReadOnlyDictionary<uint, int>? runPrefixes = null)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder("Action: ").Append(rule.Action switch
        {
            FlatAction.Allow => "allow",
            FlatAction.Deny => "deny",
            FlatAction.Log => "log (count, continue)",
            FlatAction.Goto => "goto rule " + rule.Jump.ToString(c),
            FlatAction.Next => "next (no match: rule " + rule.Jump.ToString(c) + ")",
            _ => "unknown action " + ((byte)rule.Action).ToString(c),
        });

        var match = new List<string>(12);
        if (rule.IpVersion != 0)
        {
            match.Add("ipv" + rule.IpVersion.ToString(c));
        }

        if (rule.Run != 0)
        {
            // A merged run: the remote address's longest prefix in cali_runs decides, with its pre-merged ports.
            int prefixes = runPrefixes is null ? -1 : runPrefixes.GetValueOrDefault(rule.Run);
            match.Add("merged-run=" + rule.Run.ToString(c) + (rule.RunOnDestination ? " on dst" : " on src")
                + (rule.RunAnyProtocol ? " +any-proto" : "")
                + (prefixes < 0 ? "" : prefixes == 1 ? " [1 entry]" : $" [{prefixes.ToString(c)} entries]"));
        }

        if (rule.Protocol is byte protocol)
        {
            match.Add("proto=" + ProtocolName(protocol));
        }

        if (rule.NotProtocol is byte notProtocol)
        {
            match.Add("proto!=" + ProtocolName(notProtocol));
        }

        Sets(match, "src-sets", rule.SrcSets, setMembers);
        Sets(match, "src-not-sets", rule.NotSrcSets, setMembers);
        Sets(match, "dst-sets", rule.DstSets, setMembers);
        Sets(match, "dst-not-sets", rule.NotDstSets, setMembers);
        Ports(match, "src-ports", rule.SrcPorts);
        Ports(match, "src-not-ports", rule.NotSrcPorts);
        Ports(match, "dst-ports", rule.DstPorts);
        Ports(match, "dst-not-ports", rule.NotDstPorts);
        if (rule.IcmpType is byte type)
        {
            match.Add("icmp-type=" + type.ToString(c) + (rule.IcmpCode is byte code ? " icmp-code=" + code.ToString(c) : ""));
        }

        if (rule.NotIcmpType is byte notType)
        {
            match.Add("not(icmp-type=" + notType.ToString(c) + (rule.NotIcmpCode is byte notCode ? " icmp-code=" + notCode.ToString(c) : "") + ")");
        }

        text.Append("  Match: ").Append(match.Count == 0 ? "any" : string.Join(' ', match));
        return text.ToString();
    }

    /// <summary>"tcp", "udp", ... or the number.</summary>
    public static string ProtocolName(byte protocol) => protocol switch
    {
        1 => "icmp",
        6 => "tcp",
        17 => "udp",
        58 => "icmpv6",
        132 => "sctp",
        136 => "udplite",
        _ => protocol.ToString(CultureInfo.InvariantCulture),
    };

    private static void Sets(List<string> match, string name, ImmutableArray<uint> sets, IReadOnlyDictionary<uint, IReadOnlyList<string>>? members)
    {
        if (sets.IsDefaultOrEmpty)
        {
            return;
        }

        var c = CultureInfo.InvariantCulture;
        var each = new List<string>(sets.Length);
        foreach (uint set in sets)
        {
            IReadOnlyList<string>? listed = members is null ? null : members.GetValueOrDefault(set) ?? [];
            each.Add(set.ToString(c) + (listed is null ? ""
                : listed.Count == 0 ? " [empty]"
                : listed.Count <= ListedMembers ? " [" + string.Join(", ", listed) + "]"
                : $" [{listed.Count.ToString(c)} members]"));
        }

        // Sets of one list are ANDed (the address must be in each, or for not-sets in none).
        match.Add(name + "={" + string.Join(", ", each) + "}");
    }

    private static void Ports(List<string> match, string name, ImmutableArray<PortRange> ports)
    {
        if (!ports.IsDefaultOrEmpty)
        {
            match.Add(name + "=" + string.Join(',', ports.Select(static p => p.First == p.Last
                ? p.First.ToString(CultureInfo.InvariantCulture)
                : p.First.ToString(CultureInfo.InvariantCulture) + "-" + p.Last.ToString(CultureInfo.InvariantCulture))));
        }
    }
}
