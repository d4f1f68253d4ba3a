using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Calico.Ctl.Output;

/// <summary>
/// calicoctl's table columns per kind (the <c>ps</c> and <c>wide</c> headings and what each cell shows), read off
/// the JSON form of a resource so the table logic does not depend on model classes. Empty values print as
/// Go's templates print them: missing pointers as <c>&lt;nil&gt;</c>, missing booleans as <c>false</c>.
/// </summary>
internal sealed class TableColumns
{
    private readonly Dictionary<string, Func<JsonObject, string>> _cells;

    private TableColumns(string[] ps, string[] wide, Dictionary<string, Func<JsonObject, string>> cells)
    {
        Default = ps;
        Wide = wide;
        _cells = cells;
    }

    public IReadOnlyList<string> Default { get; }

    public IReadOnlyList<string> Wide { get; }

    public bool HasNamespaceColumn => _cells.ContainsKey("NAMESPACE");

    public IEnumerable<string> Known => _cells.Keys;

    public bool TryCell(string heading, JsonObject resource, out string value)
    {
        if (_cells.TryGetValue(heading, out var f))
        {
            value = f(resource);
            return true;
        }

        value = "";
        return false;
    }

    public static TableColumns For(string kind) => kind switch
    {
        "IPPool" => new(["NAME", "CIDR", "SELECTOR"],
            ["NAME", "CIDR", "NAT", "IPIPMODE", "VXLANMODE", "DISABLED", "DISABLEBGPEXPORT", "SELECTOR", "ASSIGNMENTMODE"],
            new()
            {
                ["NAME"] = Name,
                ["CIDR"] = o => Str(o, "spec", "cidr"),
                ["NAT"] = o => Bool(o, "spec", "natOutgoing"),
                ["IPIPMODE"] = o => Or(Str(o, "spec", "ipipMode"), "Never"),
                ["VXLANMODE"] = o => Or(Str(o, "spec", "vxlanMode"), "Never"),
                ["DISABLED"] = o => Bool(o, "spec", "disabled"),
                ["DISABLEBGPEXPORT"] = o => Bool(o, "spec", "disableBGPExport"),
                ["SELECTOR"] = o => Str(o, "spec", "nodeSelector"),
                ["ASSIGNMENTMODE"] = o => Str(o, "spec", "assignmentMode"),
            }),
        "NetworkPolicy" or "StagedNetworkPolicy" => new(["NAME", "TIER"], ["NAME", "TIER", "ORDER", "SELECTOR"], new()
        {
            ["NAME"] = Name,
            ["NAMESPACE"] = Namespace,
            ["ORDER"] = o => Float(o, "spec", "order"),
            ["SELECTOR"] = o => Str(o, "spec", "selector"),
            ["TIER"] = o => Str(o, "spec", "tier"),
        }),
        "GlobalNetworkPolicy" or "StagedGlobalNetworkPolicy" => new(["NAME", "TIER"], ["NAME", "TIER", "ORDER", "SELECTOR"], new()
        {
            ["NAME"] = Name,
            ["ORDER"] = o => Float(o, "spec", "order"),
            ["SELECTOR"] = o => Str(o, "spec", "selector"),
            ["TIER"] = o => Str(o, "spec", "tier"),
        }),
        "StagedKubernetesNetworkPolicy" => new(["NAME"], ["NAME", "PODSELECTOR"], new()
        {
            ["NAME"] = Name,
            ["NAMESPACE"] = Namespace,
            ["PODSELECTOR"] = o => Str(o, "spec", "podSelector"),
        }),
        "BGPFilter" => new(["NAME", "NUMEXPORTV4", "NUMIMPORTV4", "NUMEXPORTV6", "NUMIMPORTV6"], ["NAME", "NUMEXPORTV4", "NUMIMPORTV4", "NUMEXPORTV6", "NUMIMPORTV6"], new()
        {
            ["NAME"] = Name,
            ["NUMEXPORTV4"] = o => Count(o, "spec", "exportV4"),
            ["NUMIMPORTV4"] = o => Count(o, "spec", "importV4"),
            ["NUMEXPORTV6"] = o => Count(o, "spec", "exportV6"),
            ["NUMIMPORTV6"] = o => Count(o, "spec", "importV6"),
        }),
        "CalicoNodeStatus" => new(["NAME", "NODE"], ["NAME", "NODE", "CLASSES"], new()
        {
            ["NAME"] = Name,
            ["NODE"] = o => Str(o, "spec", "node"),
            ["CLASSES"] = o => Join(o, ",", "spec", "classes"),
        }),
        "Tier" => new(["NAME", "ORDER"], ["NAME", "ORDER"], new()
        {
            ["NAME"] = Name,
            ["ORDER"] = o => Float(o, "spec", "order"),
        }),
        "WorkloadEndpoint" => new(["WORKLOAD", "NODE", "NETWORKS", "INTERFACE"],
            ["NAME", "WORKLOAD", "NODE", "NETWORKS", "INTERFACE", "PROFILES", "NATS"], new()
            {
                ["NAME"] = Name,
                ["NAMESPACE"] = Namespace,
                ["NODE"] = o => Str(o, "spec", "node"),
                ["ORCHESTRATOR"] = o => Str(o, "spec", "orchestrator"),
                ["WORKLOAD"] = o => Or(Str(o, "spec", "workload"), Str(o, "spec", "pod")),
                ["NETWORKS"] = o => Join(o, ",", "spec", "ipNetworks"),
                ["NATS"] = o => Join(o, ",", "spec", "ipNATs"),
                ["PROFILES"] = o => Join(o, ",", "spec", "profiles"),
                ["INTERFACE"] = o => Str(o, "spec", "interfaceName"),
            }),
        "HostEndpoint" => new(["NAME", "NODE"], ["NAME", "NODE", "INTERFACE", "IPS", "PROFILES"], new()
        {
            ["NAME"] = Name,
            ["NODE"] = o => Str(o, "spec", "node"),
            ["INTERFACE"] = o => Str(o, "spec", "interfaceName"),
            ["IPS"] = o => Join(o, ",", "spec", "expectedIPs"),
            ["PROFILES"] = o => Join(o, ",", "spec", "profiles"),
        }),
        "Node" => new(["NAME"], ["NAME", "ASN", "IPV4", "IPV6"], new()
        {
            ["NAME"] = Name,
            ["ASN"] = o => Node(o, "asNumber") is { Length: > 0 } asn ? asn : (Node(o, null) is null ? "" : "(64512)"),
            ["IPV4"] = o => Node(o, "ipv4Address") ?? "",
            ["IPV6"] = o => Node(o, "ipv6Address") ?? "",
        }),
        "BGPPeer" => new(["NAME", "PEERIP", "NODE", "ASN"], ["NAME", "PEERIP", "NODE", "ASN"], new()
        {
            ["NAME"] = Name,
            ["PEERIP"] = o => Str(o, "spec", "peerIP"),
            ["NODE"] = o => Or(Str(o, "spec", "node"), Or(Str(o, "spec", "nodeSelector"), "(global)")),
            ["ASN"] = o => Or(Str(o, "spec", "asNumber"), "0"),
        }),
        "BGPConfiguration" => new(["NAME", "LOGSEVERITY", "MESHENABLED", "ASNUMBER"], ["NAME", "LOGSEVERITY", "MESHENABLED", "ASNUMBER"], new()
        {
            ["NAME"] = Name,
            ["LOGSEVERITY"] = o => Str(o, "spec", "logSeverityScreen"),
            ["MESHENABLED"] = o => Str(o, "spec", "nodeToNodeMeshEnabled") is { Length: > 0 } m ? m : "-",
            ["ASNUMBER"] = o => Str(o, "spec", "asNumber") is { Length: > 0 } a && a != "0" ? a : "-",
        }),
        "Profile" => new(["NAME"], ["NAME", "LABELS"], new()
        {
            ["NAME"] = Name,
            ["LABELS"] = o => Labels(o, "spec", "labelsToApply"),
        }),
        "NetworkSet" => new(["NAME"], ["NAME", "NETS"], new()
        {
            ["NAME"] = Name,
            ["NAMESPACE"] = Namespace,
            ["NETS"] = o => Truncate(Join(o, ",", "spec", "nets"), 80),
        }),
        "GlobalNetworkSet" => new(["NAME"], ["NAME", "NETS"], new()
        {
            ["NAME"] = Name,
            ["NETS"] = o => Truncate(Join(o, ",", "spec", "nets"), 80),
        }),
        "IPReservation" => new(["NAME"], ["NAME", "CIDRS"], new()
        {
            ["NAME"] = Name,
            ["CIDRS"] = o => Truncate(Join(o, ",", "spec", "reservedCIDRs"), 80),
        }),
        "ClusterInformation" => new(["NAME", "CLUSTERGUID", "CLUSTERTYPE", "CALICOVERSION", "DATASTOREREADY"],
            ["NAME", "CLUSTERGUID", "CLUSTERTYPE", "CALICOVERSION", "DATASTOREREADY"], new()
            {
                ["NAME"] = Name,
                ["CLUSTERGUID"] = o => Str(o, "spec", "clusterGUID"),
                ["CLUSTERTYPE"] = o => Str(o, "spec", "clusterType"),
                ["CALICOVERSION"] = o => Str(o, "spec", "calicoVersion"),
                ["DATASTOREREADY"] = o => Str(o, "spec", "datastoreReady") is { Length: > 0 } r ? r : "<nil>",
            }),
        "IPAMConfiguration" => new(["NAME", "STRICTAFFINITY", "AUTOALLOCATEBLOCKS"], ["NAME", "STRICTAFFINITY", "AUTOALLOCATEBLOCKS", "MAXBLOCKSPERHOST"], new()
        {
            ["NAME"] = Name,
            ["STRICTAFFINITY"] = o => Bool(o, "spec", "strictAffinity"),
            ["AUTOALLOCATEBLOCKS"] = o => Bool(o, "spec", "autoAllocateBlocks"),
            ["MAXBLOCKSPERHOST"] = o => Or(Str(o, "spec", "maxBlocksPerHost"), "0"),
        }),
        "k8s:NetworkPolicy" => new(["NAME", "POD-SELECTOR"], ["NAME", "POD-SELECTOR", "POLICY-TYPES"], new()
        {
            ["NAME"] = Name,
            ["NAMESPACE"] = Namespace,
            ["POD-SELECTOR"] = o => Labels(o, "spec", "podSelector", "matchLabels") is { Length: > 0 } l ? l : "<none>",
            ["POLICY-TYPES"] = o => Join(o, ",", "spec", "policyTypes"),
        }),
        "k8s:Namespace" => new(["NAME"], ["NAME", "LABELS"], new()
        {
            ["NAME"] = Name,
            ["LABELS"] = o => Labels(o, "metadata", "labels"),
        }),
        _ => new(["NAME"], ["NAME"], new() { ["NAME"] = Name }),
    };

    private static string Name(JsonObject o) => Str(o, "metadata", "name");

    private static string Namespace(JsonObject o) => Str(o, "metadata", "namespace");

    private static JsonNode? At(JsonObject o, params string[] path)
    {
        JsonNode? n = o;
        foreach (var p in path)
        {
            n = n is JsonObject obj ? obj[p] : null;
        }

        return n;
    }

    private static string Str(JsonObject o, params string[] path) => At(o, path) switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.True => "true",
        JsonValue v when v.GetValueKind() == JsonValueKind.False => "false",
        JsonNode n => n.ToJsonString(),
    };

    private static string Bool(JsonObject o, params string[] path) => Or(Str(o, path), "false");

    private static string Float(JsonObject o, params string[] path) =>
        At(o, path) is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? GoFormat.Float(v.GetValue<double>()) : "<nil>";

    /// <summary>Go's <c>len</c> of a list (0 when absent).</summary>
    private static string Count(JsonObject o, params string[] path) =>
        (At(o, path) is JsonArray a ? a.Count : 0).ToString(CultureInfo.InvariantCulture);

    private static string Or(string value, string fallback) => value.Length > 0 ? value : fallback;

    private static string Join(JsonObject o, string separator, params string[] path)
    {
        if (At(o, path) is not JsonArray a)
        {
            return "";
        }

        var parts = new List<string>(a.Count);
        foreach (var item in a)
        {
            parts.Add(item is JsonObject nat
                ? $"{Str(nat, "internalIP")}->{Str(nat, "externalIP")}"
                : item?.GetValueKind() == JsonValueKind.String ? item.GetValue<string>() : item?.ToJsonString() ?? "");
        }

        return string.Join(separator, parts);
    }

    /// <summary>Go prints a map as <c>map[k1:v1 k2:v2]</c> in key order; calicoctl's join shows k=v pairs.</summary>
    private static string Labels(JsonObject o, params string[] path)
    {
        if (At(o, path) is not JsonObject m)
        {
            return "";
        }

        var keys = new List<string>(m.Count);
        foreach (var kv in m)
        {
            keys.Add(kv.Key);
        }

        keys.Sort(StringComparer.Ordinal);
        var parts = new List<string>(keys.Count);
        foreach (var k in keys)
        {
            parts.Add(k + "=" + Str(m, k));
        }

        return string.Join(",", parts);
    }

    private static string? Node(JsonObject o, string? field)
    {
        if (At(o, "spec", "bgp") is not JsonObject bgp)
        {
            return null;
        }

        return field is null ? "" : Str(bgp, field);
    }

    private static string Truncate(string s, int max) =>
        s.Length <= max ? s : string.Concat(s.AsSpan(0, max - 3), "...");

    public static string FormatInvariant(long n) => n.ToString(CultureInfo.InvariantCulture);
}
