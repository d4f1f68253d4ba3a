using System.Globalization;
using System.Text;
using System.Text.Json;
using Calico.Api;
using Calico.Datastore;

namespace Calico.Ctl.Migration;

/// <summary>
/// Upstream's <c>calicoctl datastore migrate export</c> file: the v3 resources as YAML list documents, each followed
/// by a <c>---</c> line; a line <c>===</c>; ClusterInformation <c>default</c> as indented JSON; a line <c>===</c>; the IPAM
/// records as indented JSON (<c>{"block_affinities":[{"Key","Value","TTL"}],"blocks":[…],"handles":[…],"config":{…}}</c>,
/// empty groups omitted, as Go's <c>omitempty</c>). Pure: text in, <see cref="MigrationData"/> out, and back.
/// <see cref="Decode"/> validates everything before anything is written, so a bad file changes nothing.
/// </summary>
internal static class MigrationFile
{
    public const string SectionSeparator = "===";

    /// <summary>The order kinds are exported and imported in: upstream's (tiers before policies, nodes before what names
    /// them), then the kinds upstream leaves to Kubernetes and this datastore keeps itself.</summary>
    public static IReadOnlyList<ResourceKind> KindOrder { get; } =
    [
        ResourceKinds.IPPool,
        ResourceKinds.BGPPeer,
        ResourceKinds.Tier,
        ResourceKinds.GlobalNetworkPolicy,
        ResourceKinds.StagedGlobalNetworkPolicy,
        ResourceKinds.GlobalNetworkSet,
        ResourceKinds.HostEndpoint,
        ResourceKinds.KubeControllersConfiguration,
        ResourceKinds.NetworkPolicy,
        ResourceKinds.StagedNetworkPolicy,
        ResourceKinds.StagedKubernetesNetworkPolicy,
        ResourceKinds.NetworkSet,
        ResourceKinds.Node,
        ResourceKinds.BGPConfiguration,
        ResourceKinds.FelixConfiguration,
        ResourceKinds.IPReservation,
        ResourceKinds.BGPFilter,
        // Not exported by upstream (Kubernetes owns them there); here they live only in this datastore.
        ResourceKinds.IPAMConfiguration,
        ResourceKinds.KubernetesNamespace,
        ResourceKinds.KubernetesNetworkPolicy,
        ResourceKinds.Profile,
        ResourceKinds.WorkloadEndpoint,
        ResourceKinds.CalicoNodeStatus,
    ];

    /// <summary>The whole file. <paramref name="groups"/> are the resources of each kind in <see cref="KindOrder"/>.</summary>
    public static string Encode(IReadOnlyList<(ResourceKind Kind, IReadOnlyList<Resource> Items)> groups, ClusterInformation clusterInformation, IpamDump ipam)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(clusterInformation);
        ArgumentNullException.ThrowIfNull(ipam);
        var sb = new StringBuilder();
        foreach (var (kind, items) in groups)
        {
            sb.Append(ResourceCodec.ToYamlList(kind, [.. items.Select(Exported)], null));
            sb.Append("---\n");
        }

        sb.Append(SectionSeparator).Append('\n');
        sb.Append(ResourceCodec.ToJson(clusterInformation).TrimEnd('\n')).Append('\n');
        sb.Append(SectionSeparator).Append('\n');
        sb.Append(EncodeIpam(ipam)).Append('\n');
        return sb.ToString();
    }

    /// <summary>What belongs to one datastore's copy of an object and is not exported (upstream's list).</summary>
    public static Resource Exported(Resource r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var copy = ResourceCodec.Clone(r);
        copy.Metadata.Uid = null;
        copy.Metadata.ResourceVersion = null;
        copy.Metadata.CreationTimestamp = null;
        copy.Metadata.DeletionTimestamp = null;
        copy.Metadata.DeletionGracePeriodSeconds = null;
        return copy;
    }

    /// <summary>The IPAM JSON section (Go's <c>json.MarshalIndent(ipam, "", "  ")</c> shape).</summary>
    public static string EncodeIpam(IpamDump ipam)
    {
        ArgumentNullException.ThrowIfNull(ipam);
        var groups = new List<string>();
        AddGroup(groups, "block_affinities", ipam.BlockAffinities);
        AddGroup(groups, "blocks", ipam.Blocks);
        AddGroup(groups, "handles", ipam.Handles);
        if (ipam.Config is not null)
        {
            groups.Add("  \"config\": " + Record(ipam.Config, "  "));
        }

        return groups.Count == 0 ? "{}" : "{\n" + string.Join(",\n", groups) + "\n}";
    }

    private static void AddGroup(List<string> groups, string name, IReadOnlyList<IpamRecord> records)
    {
        if (records.Count == 0)
        {
            return;
        }

        var sb = new StringBuilder();
        sb.Append("  \"").Append(name).Append("\": [");
        for (int i = 0; i < records.Count; i++)
        {
            sb.Append(i == 0 ? "\n    " : ",\n    ").Append(Record(records[i], "    "));
        }

        sb.Append("\n  ]");
        groups.Add(sb.ToString());
    }

    private static string Record(IpamRecord record, string indent) =>
        "{\n" + indent + "  \"Key\": " + GoQuote(record.Key) + ",\n"
        + indent + "  \"Value\": " + GoJsonIndent.Indent(record.Value, indent + "  ") + ",\n"
        + indent + "  \"TTL\": 0\n" + indent + "}";

    /// <summary>A JSON string as Go's encoder writes it (it also escapes &lt;, &gt; and &amp;).</summary>
    private static string GoQuote(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '<' or '>' or '&' or '\u2028' or '\u2029' or < ' ':
                    sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default: sb.Append(c); break;
            }
        }

        return sb.Append('"').ToString();
    }

    /// <summary>
    /// Parses and validates a whole export. Throws <see cref="CtlException"/> naming <paramref name="source"/> and what
    /// is wrong (not an export, an unknown kind, an invalid resource, a malformed IPAM record); nothing is written by then.
    /// </summary>
    public static MigrationData Decode(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(source);
        var (yaml, clusterJson, ipamJson) = Split(text, source);
        var resources = DecodeResources(yaml, source);
        var clusterInformation = DecodeClusterInformation(clusterJson, source);
        var ipam = DecodeIpam(ipamJson, source);
        return new MigrationData(resources, clusterInformation, ipam);
    }

    private static (string Yaml, string Cluster, string Ipam) Split(string text, string source)
    {
        var sections = new List<StringBuilder> { new() };
        foreach (var line in text.Split('\n'))
        {
            if (line.TrimEnd('\r') == SectionSeparator)
            {
                sections.Add(new StringBuilder());
            }
            else
            {
                sections[^1].Append(line).Append('\n');
            }
        }

        if (sections.Count != 3)
        {
            throw Bad(source, $"it has {sections.Count - 1} '===' separator line(s), an export has 2 (resources, ClusterInformation, IPAM): " +
                "it is not a file written by `calicoctl datastore migrate export`. Try recreating it with 'calicoctl datastore migrate export'");
        }

        return (sections[0].ToString(), sections[1].ToString(), sections[2].ToString());
    }

    private static List<Resource> DecodeResources(string yaml, string source)
    {
        IReadOnlyList<Resource> decoded;
        try
        {
            decoded = ResourceCodec.Decode(yaml);
        }
        catch (Exception e) when (e is ResourceDecodeException or ValidationException)
        {
            throw Bad(source, "resources section: " + e.Message);
        }

        var resources = new List<Resource>(decoded.Count);
        foreach (var r in decoded)
        {
            var kind = ResourceKinds.Of(r);
            if (kind == ResourceKinds.ClusterInformation)
            {
                throw Bad(source, "resources section: ClusterInformation belongs in the second section (after the first '===' line), not among the resources");
            }

            if (string.IsNullOrEmpty(r.Metadata.Name))
            {
                throw Bad(source, $"resources section: a {kind.Kind} has no metadata.name");
            }

            var check = ResourceCodec.Clone(r);
            if (kind.Namespaced && string.IsNullOrEmpty(check.Metadata.Namespace))
            {
                check.Metadata.Namespace = "default";
            }

            try
            {
                ResourceDefaults.Apply(check);
                ResourceValidator.Validate(check);
            }
            catch (ValidationException e)
            {
                throw Bad(source, $"resources section: {Describe(kind, r)}: {e.Message}");
            }

            resources.Add(r);
        }

        return resources;
    }

    private static string Describe(ResourceKind kind, Resource r) =>
        kind.Namespaced ? $"{kind.Kind}({r.Metadata.Namespace ?? "default"}/{r.Metadata.Name})" : $"{kind.Kind}({r.Metadata.Name})";

    private static ClusterInformation DecodeClusterInformation(string json, string source)
    {
        IReadOnlyList<Resource> decoded;
        try
        {
            decoded = ResourceCodec.Decode(json);
        }
        catch (Exception e) when (e is ResourceDecodeException or ValidationException)
        {
            throw Bad(source, "ClusterInformation section: " + e.Message);
        }

        if (decoded is not [ClusterInformation info])
        {
            throw Bad(source, $"ClusterInformation section: expected one ClusterInformation object, found {decoded.Count} object(s) ({string.Join(", ", decoded.Select(d => d.Kind))})");
        }

        if (info.Metadata.Name != "default")
        {
            throw Bad(source, $"ClusterInformation section: its name is '{info.Metadata.Name}', the datastore's is 'default'");
        }

        if (string.IsNullOrEmpty(info.Spec.ClusterGUID))
        {
            throw Bad(source, "ClusterInformation section: spec.clusterGUID is empty");
        }

        return info;
    }

    private static IpamDump DecodeIpam(string json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw Bad(source, "IPAM section: not JSON: " + e.Message);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Bad(source, $"IPAM section: expected a JSON object, found {document.RootElement.ValueKind}");
            }

            var affinities = new List<IpamRecord>();
            var blocks = new List<IpamRecord>();
            var handles = new List<IpamRecord>();
            IpamRecord? config = null;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "block_affinities":
                        ReadGroup(property, source, affinities, ValidateAffinity);
                        break;
                    case "blocks":
                        ReadGroup(property, source, blocks, ValidateBlock);
                        break;
                    case "handles":
                        ReadGroup(property, source, handles, ValidateHandle);
                        break;
                    case "config":
                        if (property.Value.ValueKind != JsonValueKind.Null)
                        {
                            config = ReadRecord(property.Value, "config", source);
                            if (config.Key != ResourceKeys.IpamConfig)
                            {
                                throw Bad(source, $"IPAM section: config: Key \"{config.Key}\" is not the IPAM configuration key {ResourceKeys.IpamConfig}");
                            }
                        }

                        break;
                    default:
                        throw Bad(source, $"IPAM section: unknown field \"{property.Name}\" (expected block_affinities, blocks, handles, config)");
                }
            }

            return new IpamDump(affinities, blocks, handles, config);
        }
    }

    private static void ReadGroup(JsonProperty property, string source, List<IpamRecord> into, Func<IpamRecord, JsonElement, string?> validate)
    {
        if (property.Value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (property.Value.ValueKind != JsonValueKind.Array)
        {
            throw Bad(source, $"IPAM section: {property.Name}: expected a list, found {property.Value.ValueKind}");
        }

        int index = 0;
        foreach (var item in property.Value.EnumerateArray())
        {
            var where = $"{property.Name}[{index.ToString(CultureInfo.InvariantCulture)}]";
            var record = ReadRecord(item, where, source);
            if (validate(record, item.GetProperty("Value")) is { } problem)
            {
                throw Bad(source, $"IPAM section: {where}: Key \"{record.Key}\": {problem}");
            }

            into.Add(record);
            index++;
        }
    }

    private static IpamRecord ReadRecord(JsonElement item, string where, string source)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw Bad(source, $"IPAM section: {where}: expected an object with Key, Value and TTL, found {item.ValueKind}");
        }

        string? key = null;
        byte[]? value = null;
        foreach (var field in item.EnumerateObject())
        {
            switch (field.Name)
            {
                case "Key" when field.Value.ValueKind == JsonValueKind.String:
                    key = field.Value.GetString();
                    break;
                case "Value" when field.Value.ValueKind == JsonValueKind.Object:
                    value = GoJsonIndent.Compact(Encoding.UTF8.GetBytes(field.Value.GetRawText()));
                    break;
                case "TTL" when field.Value.ValueKind == JsonValueKind.Number:
                    if (!field.Value.TryGetInt64(out long ttl) || ttl != 0)
                    {
                        throw Bad(source, $"IPAM section: {where}: TTL {field.Value.GetRawText()} is not 0 (IPAM keys never expire; this datastore keeps no TTLs)");
                    }

                    break;
                case "Key" or "Value" or "TTL":
                    throw Bad(source, $"IPAM section: {where}: {field.Name} has the wrong type ({field.Value.ValueKind})");
                default:
                    throw Bad(source, $"IPAM section: {where}: unknown field \"{field.Name}\" (expected Key, Value, TTL)");
            }
        }

        if (string.IsNullOrEmpty(key) || value is null)
        {
            throw Bad(source, $"IPAM section: {where}: {(string.IsNullOrEmpty(key) ? "Key" : "Value")} is missing");
        }

        return new IpamRecord(key, value);
    }

    private static string? ValidateAffinity(IpamRecord record, JsonElement value) =>
        !ResourceKeys.TryParseIpamAffinity(record.Key, out _, out _) ? "not a block affinity key (/calico/ipam/v2/host/<node>/ipv4/block/<cidr>)"
        : value.TryGetProperty("state", out var state) && state.ValueKind != JsonValueKind.String ? "Value.state is not a string"
        : null;

    private static string? ValidateBlock(IpamRecord record, JsonElement value)
    {
        if (!ResourceKeys.TryParseIpamBlock(record.Key, out string cidr))
        {
            return "not a block key (/calico/ipam/v2/assignment/ipv4/block/<cidr>)";
        }

        return value.TryGetProperty("cidr", out var c) && c.ValueKind == JsonValueKind.String && c.GetString() == cidr
            ? null
            : $"Value.cidr does not match the key's block {cidr}";
    }

    private static string? ValidateHandle(IpamRecord record, JsonElement value) =>
        !record.Key.StartsWith(ResourceKeys.IpamHandlePrefix, StringComparison.Ordinal) || record.Key.Length == ResourceKeys.IpamHandlePrefix.Length || record.Key[ResourceKeys.IpamHandlePrefix.Length..].Contains('/', StringComparison.Ordinal)
            ? "not a handle key (/calico/ipam/v2/handle/<id>)"
            : value.TryGetProperty("block", out var b) && b.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null) ? "Value.block is not an object"
            : null;

    private static CtlException Bad(string source, string what) =>
        new($"error while reading migration file: {source}: {what}");
}
