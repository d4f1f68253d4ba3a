using System.Globalization;

namespace Calico.Felix.Bpf.Tools;

/// <summary>One cali_counters entry: a rule's key and its packets and bytes; <see cref="UsedBy"/> the interfaces and hooks whose table it is, when known.</summary>
public sealed record RuleCounter(uint Table, uint Index, ulong Packets, ulong Bytes, string? UsedBy = null);

/// <summary>
/// calico-node -bpf counters dump's output. Upstream keeps per-interface, per-hook counters in a per-CPU array; ours
/// are cali_reasons (why packets passed or dropped without or after a rule, for all interfaces together) and
/// cali_counters (per rule).
/// </summary>
public static class CountersDump
{
    public static void Write(TextWriter output, IReadOnlyList<(ulong Packets, ulong Bytes)> reasons, IEnumerable<RuleCounter> rules, string? interfaceName)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(reasons);
        ArgumentNullException.ThrowIfNull(rules);
        var c = CultureInfo.InvariantCulture;
        output.WriteLine("Reasons (cali_reasons, all interfaces together):");
        var table = new ColumnWriter();
        table.Add("REASON", "PACKETS", "BYTES", "MEANING");
        for (int i = 0; i < reasons.Count; i++)
        {
            // Spare slots are shown only when the program counted something there (a newer program than this tool).
            if (i >= BpfReasons.All.Count && reasons[i] == (0, 0))
            {
                continue;
            }

            table.Add(BpfReasons.NameOf(i), reasons[i].Packets.ToString(c), reasons[i].Bytes.ToString(c), i < BpfReasons.All.Count ? BpfReasons.All[i].Meaning : "not known to this tool");
        }

        table.WriteTo(output, "  ");
        output.WriteLine();
        output.WriteLine(interfaceName is null
            ? "Rule counters (cali_counters: the first packets of the flows each rule decided):"
            : $"Rule counters of {interfaceName}'s tables (cali_counters: the first packets of the flows each rule decided):");
        var sorted = rules.OrderBy(static r => r.Table).ThenBy(static r => r.Index).ToList();
        if (sorted.Count == 0)
        {
            output.WriteLine("  none");
            return;
        }

        var counters = new ColumnWriter();
        bool labelled = sorted.Exists(static r => r.UsedBy is not null);
        counters.Add(labelled ? ["TABLE", "RULE", "PACKETS", "BYTES", "USED BY"] : ["TABLE", "RULE", "PACKETS", "BYTES"]);
        foreach (RuleCounter rule in sorted)
        {
            string[] cells = [rule.Table.ToString(c), rule.Index.ToString(c), rule.Packets.ToString(c), rule.Bytes.ToString(c)];
            counters.Add(labelled ? [.. cells, rule.UsedBy ?? ""] : cells);
        }

        counters.WriteTo(output, "  ");
    }

    /// <summary>What a table's counters are labelled with when no endpoint walks it: counters outlive a replaced table (the program writes them; nothing removes them yet).</summary>
    public const string UnusedTable = "no endpoint (a replaced table's)";

    /// <summary>Table id → "cali1 ingress, cali2 egress": the interfaces and tc hooks whose program walks it.</summary>
    public static Dictionary<uint, string> TableUsers(IEnumerable<(string Interface, BpfEndpointValue Endpoint)> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var users = new Dictionary<uint, List<string>>();
        foreach (var (name, endpoint) in endpoints.OrderBy(static e => e.Interface, StringComparer.Ordinal))
        {
            foreach (bool tcIngress in new[] { true, false })
            {
                uint table = endpoint.TableOfTcHook(tcIngress);
                if (table != 0)
                {
                    if (!users.TryGetValue(table, out var list))
                    {
                        users[table] = list = [];
                    }

                    list.Add(name + (tcIngress ? " ingress" : " egress"));
                }
            }
        }

        return users.ToDictionary(static u => u.Key, static u => string.Join(", ", u.Value));
    }

    /// <summary>The same as JSON: {"reasons": [{name, packets, bytes, meaning}], "rules": [{table, rule, packets, bytes[, hook]}]}.</summary>
    public static void WriteJson(TextWriter output, IReadOnlyList<(ulong Packets, ulong Bytes)> reasons, IEnumerable<RuleCounter> rules, string? interfaceName)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(reasons);
        ArgumentNullException.ThrowIfNull(rules);
        ToolJson.Write(output, json =>
        {
            json.WriteStartObject();
            if (interfaceName is not null)
            {
                json.WriteString("interface", interfaceName);
            }

            json.WriteStartArray("reasons");
            for (int i = 0; i < reasons.Count; i++)
            {
                if (i >= BpfReasons.All.Count && reasons[i] == (0, 0))
                {
                    continue;
                }

                json.WriteStartObject();
                json.WriteString("name", BpfReasons.NameOf(i));
                json.WriteNumber("packets", reasons[i].Packets);
                json.WriteNumber("bytes", reasons[i].Bytes);
                json.WriteString("meaning", i < BpfReasons.All.Count ? BpfReasons.All[i].Meaning : "not known to this tool");
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("rules");
            foreach (RuleCounter rule in rules.OrderBy(static r => r.Table).ThenBy(static r => r.Index))
            {
                json.WriteStartObject();
                json.WriteNumber("table", rule.Table);
                json.WriteNumber("rule", rule.Index);
                json.WriteNumber("packets", rule.Packets);
                json.WriteNumber("bytes", rule.Bytes);
                if (rule.UsedBy is not null)
                {
                    json.WriteString("used_by", rule.UsedBy);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });
    }
}
