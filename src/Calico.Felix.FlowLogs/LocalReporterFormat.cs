using System.Buffers;
using System.Text;
using System.Text.Json;
using Calico.Goldmane.Api;

namespace Calico.Felix.FlowLogs;

/// <summary>
/// The local reporter's record: one JSON object per line with the flow's key (upstream's field names), its
/// counters and traces, plus what only this node knows and the wire never carries: the node's name and the
/// connections' addresses and source ports (at most <see cref="FlowAggregatorOptions.MaxConnectionSamplesPerFlow"/>,
/// the rest counted in <c>connections_omitted</c>).
/// </summary>
public static class LocalReporterFormat
{
    public static string Line(FlowRecord record, string node)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(node);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            Write(w, record, node);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Write(Utf8JsonWriter w, FlowRecord record, string node)
    {
        var f = record.Flow;
        var k = f.Key;
        w.WriteStartObject();
        w.WriteString("node", node);
        w.WriteNumber("start_time", f.StartTime);
        w.WriteNumber("end_time", f.EndTime);
        w.WriteString("source_name", k.SourceName);
        w.WriteString("source_namespace", k.SourceNamespace);
        w.WriteString("source_type", k.SourceType.ToString());
        w.WriteString("dest_name", k.DestName);
        w.WriteString("dest_namespace", k.DestNamespace);
        w.WriteString("dest_type", k.DestType.ToString());
        w.WriteNumber("dest_port", k.DestPort);
        w.WriteString("proto", k.Proto);
        w.WriteString("reporter", k.Reporter.ToString());
        w.WriteString("action", k.Action.ToString());
        WriteStrings(w, "source_labels", f.SourceLabels);
        WriteStrings(w, "dest_labels", f.DestLabels);
        w.WriteStartObject("policies");
        WriteHits(w, "enforced_policies", k.Policies?.EnforcedPolicies);
        WriteHits(w, "pending_policies", k.Policies?.PendingPolicies);
        w.WriteEndObject();
        w.WriteNumber("packets_in", f.PacketsIn);
        w.WriteNumber("packets_out", f.PacketsOut);
        w.WriteNumber("bytes_in", f.BytesIn);
        w.WriteNumber("bytes_out", f.BytesOut);
        w.WriteNumber("num_connections_started", f.NumConnectionsStarted);
        w.WriteNumber("num_connections_completed", f.NumConnectionsCompleted);
        w.WriteNumber("num_connections_live", f.NumConnectionsLive);
        w.WriteStartArray("connections");
        foreach (var t in record.Connections)
        {
            w.WriteStartObject();
            w.WriteString("source_ip", t.Src.ToString());
            w.WriteNumber("source_port", t.SrcPort);
            w.WriteString("dest_ip", t.Dst.ToString());
            w.WriteNumber("dest_port", t.DstPort);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNumber("connections_omitted", record.ConnectionsOmitted);
        w.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    private static void WriteHits(Utf8JsonWriter w, string name, IEnumerable<PolicyHit>? hits)
    {
        w.WriteStartArray(name);
        foreach (var h in hits ?? [])
        {
            WriteHit(w, h);
        }

        w.WriteEndArray();
    }

    private static void WriteHit(Utf8JsonWriter w, PolicyHit h)
    {
        w.WriteStartObject();
        w.WriteString("kind", h.Kind.ToString());
        w.WriteString("namespace", h.Namespace);
        w.WriteString("name", h.Name);
        w.WriteString("tier", h.Tier);
        w.WriteString("action", h.Action.ToString());
        w.WriteNumber("policy_index", h.PolicyIndex);
        w.WriteNumber("rule_index", h.RuleIndex);
        if (h.Trigger is not null)
        {
            w.WritePropertyName("trigger");
            WriteHit(w, h.Trigger);
        }

        w.WriteEndObject();
    }
}
