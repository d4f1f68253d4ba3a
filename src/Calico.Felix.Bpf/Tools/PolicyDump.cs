using System.Globalization;

namespace Calico.Felix.Bpf.Tools;

/// <summary>One rule of a dumped table with its counter (cali_counters: the first packets of the flows it decided).</summary>
public sealed record PolicyDumpRule(uint Index, FlatRule Rule, ulong Packets, ulong Bytes);

/// <summary>One tc hook of an interface: the table its program walks and that table's rules, read in order from index 0.</summary>
public sealed record PolicyDumpHook(bool TcIngress, uint Table, IReadOnlyList<PolicyDumpRule> Rules);

/// <summary>
/// calico-node -bpf policy dump's output. Upstream prints its generated program's annotations (tiers, policies, rule
/// names, hit counts); our maps hold flat rules without their origin, so each rule is printed decoded with its counter.
/// </summary>
public static class PolicyDump
{
    public static void Write(TextWriter output, string interfaceName, uint ifindex, BpfEndpointValue endpoint, IReadOnlyList<PolicyDumpHook> hooks, IReadOnlyDictionary<uint, IReadOnlyList<string>>? setMembers, IReadOnlyDictionary<uint, int>? runPrefixes = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(hooks);
        var c = CultureInfo.InvariantCulture;
        output.WriteLine($"IfaceName: {interfaceName}");
        output.WriteLine($"Ifindex: {ifindex.ToString(c)}  Endpoint: {(endpoint.IsWorkload ? "workload" : "host")}  DefaultEndpointToHostAction: {endpoint.ToHostAction}");
        foreach (PolicyDumpHook hook in hooks)
        {
            output.WriteLine($"Hook: {(hook.TcIngress ? "ingress" : "egress")}  ({HookMeaning(endpoint.IsWorkload, hook.TcIngress)})");
            if (hook.Table == 0)
            {
                output.WriteLine("  Table: none (every new flow here is dropped, counted as BAD_TABLE)");
                continue;
            }

            output.WriteLine($"  Table: {hook.Table.ToString(c)}  Rules: {hook.Rules.Count.ToString(c)}");
            foreach (PolicyDumpRule rule in hook.Rules)
            {
                output.WriteLine($"    Rule {rule.Index.ToString(c)}: {RuleText.Describe(rule.Rule, setMembers, runPrefixes)}");
                output.WriteLine($"      Hit count: {rule.Packets.ToString(c)} ({rule.Bytes.ToString(c)} bytes)");
            }

            if (Problem(hook.Rules) is { } problem)
            {
                output.WriteLine("  Warning: " + problem);
            }
        }
    }

    /// <summary>What the program enforces at that hook (calico_tc.c: tc ingress of a workload's veth sees what it sends).</summary>
    public static string HookMeaning(bool workload, bool tcIngress) => (workload, tcIngress) switch
    {
        (true, true) => "tc ingress: traffic from the workload, its egress policy, calico_from_wl",
        (true, false) => "tc egress: traffic to the workload, its ingress policy, calico_to_wl",
        (false, true) => "tc ingress: traffic into the host, its ingress policy; host endpoints are not policed by calico_tc.c yet",
        (false, false) => "tc egress: traffic out of the host, its egress policy; host endpoints are not policed by calico_tc.c yet",
    };

    // The compiler ends every table with a verdict; anything else means the program drops what reaches the end.
    private static string? Problem(IReadOnlyList<PolicyDumpRule> rules) =>
        rules.Count == 0 ? "the table has no rule 0: every new flow here is dropped (BAD_TABLE)"
        : rules[^1].Rule.Action is not (FlatAction.Allow or FlatAction.Deny)
            ? $"the table ends at rule {rules[^1].Index.ToString(CultureInfo.InvariantCulture)} without a verdict: what reaches its end is dropped (BAD_TABLE)"
            : null;
}
