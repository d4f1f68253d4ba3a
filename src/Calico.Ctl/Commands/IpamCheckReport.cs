using System.Globalization;
using System.Text.Json;

namespace Calico.Ctl.Commands;

/// <summary>
/// Upstream's <c>calicoctl ipam check -o</c> report (check.go <c>CheckReport</c>), written and read field for field as
/// Go's <c>json.MarshalIndent</c> lays it out, so a report from either tool can be read by the other's
/// <c>ipam release --from-report</c>. Pure: bytes in, bytes out.
/// </summary>
internal sealed record IpamCheckReport(
    string Version,
    string ClusterGuid,
    bool DatastoreLocked,
    string ClusterInfoRevision,
    string ClusterType,
    IReadOnlyDictionary<string, IReadOnlyList<IpamCheckReport.Allocation>> Allocations,
    IReadOnlyList<IpamCheckReport.Handle> LeakedHandles)
{
    /// <summary>One allocation of an address (check.go <c>Allocation</c>).</summary>
    internal sealed record Allocation(
        string Ip,
        string? HandleId,
        ulong? SequenceNumber,
        string? Pod,
        string? Namespace,
        string? Node,
        string? Type,
        string? CreationTimestamp,
        bool InUse,
        bool Borrowed,
        bool CoolingDown,
        IReadOnlyList<string>? Owners);

    /// <summary>A handle with no address (check.go <c>HandleInfo</c>; no JSON tags upstream, hence the capitalised names).</summary>
    internal sealed record Handle(string Id, string? Uid, string Revision);

    public byte[] ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("version", Version);
            w.WriteString("clusterGUID", ClusterGuid);
            w.WriteBoolean("datastoreLocked", DatastoreLocked);
            w.WriteString("clusterInformationRevision", ClusterInfoRevision);
            w.WriteString("clusterType", ClusterType);
            w.WriteStartObject("allocations");
            foreach (var (ip, allocations) in Allocations.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                w.WriteStartArray(ip);
                foreach (var a in allocations)
                {
                    WriteAllocation(w, a);
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
            if (LeakedHandles.Count > 0)
            {
                w.WriteStartArray("leakedHandles");
                foreach (var h in LeakedHandles)
                {
                    w.WriteStartObject();
                    w.WriteString("ID", h.Id);
                    if (h.Uid is null)
                    {
                        w.WriteNull("UID");
                    }
                    else
                    {
                        w.WriteString("UID", h.Uid);
                    }

                    w.WriteString("Revision", h.Revision);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static void WriteAllocation(Utf8JsonWriter w, Allocation a)
    {
        w.WriteStartObject();
        w.WriteString("ip", a.Ip);
        OmitEmpty(w, "handle", a.HandleId);
        if (a.SequenceNumber is { } seq)
        {
            w.WriteNumber("sequenceNumber", seq);
        }

        OmitEmpty(w, "pod", a.Pod);
        OmitEmpty(w, "namespace", a.Namespace);
        OmitEmpty(w, "node", a.Node);
        OmitEmpty(w, "type", a.Type);
        OmitEmpty(w, "creationTimestamp", a.CreationTimestamp);
        w.WriteBoolean("inUse", a.InUse);
        if (a.Borrowed)
        {
            w.WriteBoolean("borrowed", true);
        }

        if (a.CoolingDown)
        {
            w.WriteBoolean("coolingDown", true);
        }

        if (a.Owners is null)
        {
            w.WriteNull("owners");
        }
        else
        {
            w.WriteStartArray("owners");
            foreach (var o in a.Owners)
            {
                w.WriteStringValue(o);
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void OmitEmpty(Utf8JsonWriter w, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            w.WriteString(name, value);
        }
    }

    /// <summary>Reads a report; a file that is not one is a <see cref="CtlException"/> naming the file and the field.</summary>
    public static IpamCheckReport Parse(string file, byte[] json)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new CtlException($"Invalid value for --from-report: {file} is not an ipam check report (not JSON: {e.Message})");
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Bad(file, "the report", "a JSON object");
            }

            var allocations = new Dictionary<string, IReadOnlyList<Allocation>>(StringComparer.Ordinal);
            if (!root.TryGetProperty("allocations", out var allocs) || allocs.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
            {
                throw Bad(file, "allocations", "an object mapping each address to its allocations");
            }

            if (allocs.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in allocs.EnumerateObject())
                {
                    if (entry.Value.ValueKind != JsonValueKind.Array)
                    {
                        throw Bad(file, "allocations." + entry.Name, "an array");
                    }

                    var list = new List<Allocation>();
                    foreach (var a in entry.Value.EnumerateArray())
                    {
                        list.Add(ParseAllocation(file, entry.Name, a));
                    }

                    allocations[entry.Name] = list;
                }
            }

            var handles = new List<Handle>();
            if (root.TryGetProperty("leakedHandles", out var leaked) && leaked.ValueKind != JsonValueKind.Null)
            {
                if (leaked.ValueKind != JsonValueKind.Array)
                {
                    throw Bad(file, "leakedHandles", "an array");
                }

                foreach (var h in leaked.EnumerateArray())
                {
                    string? id = h.ValueKind == JsonValueKind.Object ? Str(h, "ID") : null;
                    if (string.IsNullOrEmpty(id))
                    {
                        throw Bad(file, "leakedHandles[].ID", "a handle id");
                    }

                    handles.Add(new Handle(id, Str(h, "UID"), Str(h, "Revision") ?? ""));
                }
            }

            return new IpamCheckReport(
                Str(root, "version") ?? throw Bad(file, "version", "the calicoctl version that wrote it"),
                Str(root, "clusterGUID") ?? "",
                root.TryGetProperty("datastoreLocked", out var locked) && locked.ValueKind == JsonValueKind.True,
                Str(root, "clusterInformationRevision") ?? "",
                Str(root, "clusterType") ?? "",
                allocations,
                handles);
        }
    }

    private static Allocation ParseAllocation(string file, string key, JsonElement a)
    {
        if (a.ValueKind != JsonValueKind.Object)
        {
            throw Bad(file, "allocations." + key, "an array of objects");
        }

        string ip = Str(a, "ip") ?? throw Bad(file, $"allocations.{key}[].ip", "an IP address");
        if (!Calico.Api.Cidr.TryParseAddress(ip, out _))
        {
            throw Bad(file, $"allocations.{key}[].ip", "an IP address, not '" + ip + "'");
        }

        ulong? seq = null;
        if (a.TryGetProperty("sequenceNumber", out var s) && s.ValueKind != JsonValueKind.Null)
        {
            seq = s.ValueKind == JsonValueKind.Number && s.TryGetUInt64(out var n) ? n : throw Bad(file, $"allocations.{key}[].sequenceNumber", "an unsigned number");
        }

        List<string>? owners = null;
        if (a.TryGetProperty("owners", out var o) && o.ValueKind == JsonValueKind.Array)
        {
            owners = [.. o.EnumerateArray().Select(x => x.ToString())];
        }

        return new Allocation(ip, Str(a, "handle"), seq, Str(a, "pod"), Str(a, "namespace"), Str(a, "node"), Str(a, "type"),
            Str(a, "creationTimestamp"), Bool(a, "inUse"), Bool(a, "borrowed"), Bool(a, "coolingDown"), owners);
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static bool Bool(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    private static CtlException Bad(string file, string field, string expected) =>
        new(string.Create(CultureInfo.InvariantCulture, $"Invalid value for --from-report: {file} is not an ipam check report: field '{field}' must be {expected}"));
}
