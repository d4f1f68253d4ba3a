using System.Globalization;
using System.Text;
using System.Text.Json;
using Calico.Goldmane.Api;
using GmAction = Calico.Goldmane.Api.Action;

namespace Calico.Ctl.Output;

/// <summary>
/// <c>calicoctl flows</c> output. Table: one line per flow with the policy that decided it; wide adds counters and
/// both traces; yaml and json give every field under upstream's names (as whisker-backend spells them), each
/// trace's hits with kind, tier, namespace, name, action, policy and rule index.
/// </summary>
internal static class FlowPrinter
{
    private static readonly string[] TableHeadings = ["TIME", "SOURCE", "DESTINATION", "PORT", "ACTION", "REPORTER", "POLICY"];
    private static readonly string[] WideHeadings = [.. TableHeadings, "PACKETS IN/OUT", "BYTES IN/OUT", "ENFORCED", "PENDING"];

    public static string Render(IReadOnlyList<Flow> flows, Commands.FlowsOutput output)
    {
        ArgumentNullException.ThrowIfNull(flows);
        return output switch
        {
            Commands.FlowsOutput.Table => Table(flows, wide: false),
            Commands.FlowsOutput.Wide => Table(flows, wide: true),
            Commands.FlowsOutput.Json => Json(flows),
            Commands.FlowsOutput.Yaml => Yaml(flows),
            _ => throw new ArgumentOutOfRangeException(nameof(output), output, "unknown output"),
        };
    }

    private static string Table(IReadOnlyList<Flow> flows, bool wide)
    {
        var rows = new List<IReadOnlyList<string>>(flows.Count);
        foreach (var flow in flows)
        {
            var key = flow.Key ?? new FlowKey();
            var enforced = key.Policies?.EnforcedPolicies ?? [];
            var pending = key.Policies?.PendingPolicies ?? [];
            var row = new List<string>
            {
                Time(flow.EndTime),
                End(key.SourceNamespace, key.SourceName),
                End(key.DestNamespace, key.DestName),
                key.DestPort.ToString(CultureInfo.InvariantCulture) + "/" + key.Proto,
                ActionName(key.Action),
                ReporterName(key.Reporter),
                enforced.Count == 0 ? "-" : HitText(enforced[^1]),
            };
            if (wide)
            {
                row.Add(flow.PacketsIn.ToString(CultureInfo.InvariantCulture) + "/" + flow.PacketsOut.ToString(CultureInfo.InvariantCulture));
                row.Add(flow.BytesIn.ToString(CultureInfo.InvariantCulture) + "/" + flow.BytesOut.ToString(CultureInfo.InvariantCulture));
                row.Add(Trace(enforced));
                row.Add(PendingText(enforced, pending, key.Action));
            }

            rows.Add(row);
        }

        return TabWriter.Render(wide ? WideHeadings : TableHeadings, rows);
    }

    /// <summary>The pending trace, or <c>=</c> when it is the enforced one; a different verdict says so first.</summary>
    public static string PendingText(IReadOnlyList<PolicyHit> enforced, IReadOnlyList<PolicyHit> pending, GmAction action)
    {
        if (pending.Count == 0 || pending.SequenceEqual(enforced))
        {
            return "=";
        }

        var verdict = pending[^1].Action;
        string prefix = verdict != action ? "staged policy would " + ActionName(verdict).ToLowerInvariant() + ": " : "";
        return prefix + Trace(pending);
    }

    public static string Trace(IReadOnlyList<PolicyHit> hits) =>
        hits.Count == 0 ? "-" : string.Join(" > ", hits.Select(h => HitText(h) + " " + ActionName(h.Action)));

    /// <summary>A hit as an operator names it: <c>tier/[namespace/]name rule N</c>, staged ones as <c>staged:name</c>.</summary>
    public static string HitText(PolicyHit hit)
    {
        ArgumentNullException.ThrowIfNull(hit);
        string ns = hit.Namespace.Length > 0 ? hit.Namespace + "/" : "";
        return hit.Kind switch
        {
            PolicyKind.EndOfTier => hit.Tier + "/end-of-tier",
            PolicyKind.Profile => "profile " + hit.Name,
            PolicyKind.StagedNetworkPolicy or PolicyKind.StagedGlobalNetworkPolicy or PolicyKind.StagedKubernetesNetworkPolicy =>
                $"{hit.Tier}/{ns}staged:{hit.Name} rule {hit.RuleIndex.ToString(CultureInfo.InvariantCulture)}",
            _ => $"{hit.Tier}/{ns}{hit.Name} rule {hit.RuleIndex.ToString(CultureInfo.InvariantCulture)}",
        };
    }

    private static string End(string ns, string name)
    {
        string shown = name switch
        {
            "pub" when ns.Length == 0 => "PUBLIC NETWORK",
            "pvt" when ns.Length == 0 => "PRIVATE NETWORK",
            _ => name,
        };
        return ns.Length > 0 ? ns + "/" + shown : shown;
    }

    public static string Time(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string ActionName(GmAction action) => action switch
    {
        GmAction.Allow => "Allow",
        GmAction.Deny => "Deny",
        GmAction.Pass => "Pass",
        _ => "ActionUnspecified",
    };

    private static string ReporterName(Reporter reporter) => reporter switch
    {
        Reporter.Src => "Src",
        Reporter.Dst => "Dst",
        _ => "ReporterUnspecified",
    };

    private static string KindName(PolicyKind kind) => kind == PolicyKind.KindUnspecified ? "KindUnspecified" : kind.ToString();

    private static string EndpointTypeName(EndpointType type) => type == EndpointType.Unspecified ? "EndpointTypeUnspecified" : type.ToString();

    // One ordered document model for both json and yaml: string, long, list or map values.
    private static List<KeyValuePair<string, object?>> Document(Flow flow)
    {
        var key = flow.Key ?? new FlowKey();
        return
        [
            new("start_time", Time(flow.StartTime)),
            new("end_time", Time(flow.EndTime)),
            new("action", ActionName(key.Action)),
            new("reporter", ReporterName(key.Reporter)),
            new("source_type", EndpointTypeName(key.SourceType)),
            new("source_namespace", key.SourceNamespace),
            new("source_name", key.SourceName),
            new("source_labels", flow.SourceLabels.Cast<object?>().ToList()),
            new("dest_type", EndpointTypeName(key.DestType)),
            new("dest_namespace", key.DestNamespace),
            new("dest_name", key.DestName),
            new("dest_labels", flow.DestLabels.Cast<object?>().ToList()),
            new("dest_port", key.DestPort),
            new("protocol", key.Proto),
            new("packets_in", flow.PacketsIn),
            new("packets_out", flow.PacketsOut),
            new("bytes_in", flow.BytesIn),
            new("bytes_out", flow.BytesOut),
            new("num_connections_started", flow.NumConnectionsStarted),
            new("num_connections_completed", flow.NumConnectionsCompleted),
            new("num_connections_live", flow.NumConnectionsLive),
            new("policies", new List<KeyValuePair<string, object?>>
            {
                new("enforced", (key.Policies?.EnforcedPolicies ?? []).Select(h => (object?)Hit(h)).ToList()),
                new("pending", (key.Policies?.PendingPolicies ?? []).Select(h => (object?)Hit(h)).ToList()),
            }),
        ];
    }

    private static List<KeyValuePair<string, object?>> Hit(PolicyHit hit)
    {
        var map = new List<KeyValuePair<string, object?>>
        {
            new("kind", KindName(hit.Kind)),
            new("tier", hit.Tier),
            new("namespace", hit.Namespace),
            new("name", hit.Name),
            new("action", ActionName(hit.Action)),
            new("policy_index", hit.PolicyIndex),
            new("rule_index", hit.RuleIndex),
        };
        if (hit.Trigger is not null)
        {
            map.Add(new("trigger", Hit(hit.Trigger)));
        }

        return map;
    }

    private static string Json(IReadOnlyList<Flow> flows)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartArray();
            foreach (var flow in flows)
            {
                WriteJson(writer, Document(flow));
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static void WriteJson(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case string s:
                writer.WriteStringValue(s);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case List<KeyValuePair<string, object?>> map:
                writer.WriteStartObject();
                foreach (var (name, item) in map)
                {
                    writer.WritePropertyName(name);
                    WriteJson(writer, item);
                }

                writer.WriteEndObject();
                break;
            case List<object?> list:
                writer.WriteStartArray();
                foreach (var item in list)
                {
                    WriteJson(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    private static string Yaml(IReadOnlyList<Flow> flows)
    {
        if (flows.Count == 0)
        {
            return "[]\n";
        }

        var sb = new StringBuilder();
        foreach (var flow in flows)
        {
            WriteYamlMap(sb, Document(flow), indent: 0, firstPrefix: "- ");
        }

        return sb.ToString();
    }

    // A map's entries; the first line gets firstPrefix ("- " for a list item), the rest its width in spaces.
    private static void WriteYamlMap(StringBuilder sb, List<KeyValuePair<string, object?>> map, int indent, string firstPrefix)
    {
        bool first = true;
        foreach (var (name, value) in map)
        {
            sb.Append(' ', indent).Append(first ? firstPrefix : new string(' ', firstPrefix.Length)).Append(name).Append(':');
            first = false;
            int childIndent = indent + firstPrefix.Length;
            switch (value)
            {
                case List<KeyValuePair<string, object?>> child:
                    sb.Append('\n');
                    WriteYamlMap(sb, child, childIndent + 2, "");
                    break;
                case List<object?> list when list.Count == 0:
                    sb.Append(" []\n");
                    break;
                case List<object?> list:
                    sb.Append('\n');
                    foreach (var item in list)
                    {
                        if (item is List<KeyValuePair<string, object?>> itemMap)
                        {
                            WriteYamlMap(sb, itemMap, childIndent, "- ");
                        }
                        else
                        {
                            sb.Append(' ', childIndent).Append("- ").Append(Scalar(item)).Append('\n');
                        }
                    }

                    break;
                default:
                    sb.Append(' ').Append(Scalar(value)).Append('\n');
                    break;
            }
        }
    }

    private static string Scalar(object? value) => value switch
    {
        long l => l.ToString(CultureInfo.InvariantCulture),
        string s when IsPlain(s) => s,
        string s => JsonSerializer.Serialize(s, FlowJsonContext.Default.String),
        _ => "null",
    };

    // Plain YAML scalars only for names that cannot read as another type; everything else is double-quoted.
    private static bool IsPlain(string s) =>
        s.Length > 0 && char.IsAsciiLetter(s[0]) && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/')
        && !(s.ToUpperInvariant() is "TRUE" or "FALSE" or "YES" or "NO" or "ON" or "OFF" or "NULL" or "Y" or "N");
}
