using System.Globalization;
using System.Text.Json.Nodes;
using Calico.Api;
using Calico.Client;

namespace Calico.Benchmarks;

/// <summary>
/// The datastore contents of the dataplane-control bench, written through <see cref="ResourceClient"/> before
/// calico-node starts: an IP pool, namespace profiles, 1,000 policies that select local endpoints (selector sources,
/// CIDRs, ports), remote endpoints on other nodes (their addresses fill the policies' IP sets) and local endpoints
/// on the bench host. Deterministic, so two runs program the same ruleset.
/// </summary>
internal static class ControlWorld
{
    public const string HostNode = "benchhost";
    public const int Namespaces = 50;
    public const int Apps = 100;
    public const int WebGroups = 20;
    public const string PoolCidr = "10.0.0.0/8";

    /// <summary>Remote endpoint i: 10.64.0.0 + i (up to 4M addresses).</summary>
    public static string RemoteIp(int i) => Address(10 << 24 | 64 << 16, i);

    /// <summary>Local endpoint i: 10.128.0.0 + i.</summary>
    public static string LocalIp(int i) => Address(10 << 24 | 128 << 16, i);

    /// <summary>Host-side interface of local endpoint i: cali + 11 hex digits (15 characters, the kernel's limit).</summary>
    public static string LocalInterface(int i) => "cali" + i.ToString("x11", CultureInfo.InvariantCulture);

    public static async Task WriteAsync(ResourceClient client, int policies, int remoteEndpoints, int localEndpoints, CancellationToken cancellationToken)
    {
        await client.EnsureInitializedAsync(cancellationToken);
        await CreateAsync(client, $$$"""{"apiVersion":"projectcalico.org/v3","kind":"IPPool","metadata":{"name":"bench-pool"},"spec":{"cidr":"{{{PoolCidr}}}","blockSize":26,"natOutgoing":true}}""", cancellationToken);
        for (var n = 0; n < Namespaces; n++)
        {
            await CreateAsync(client, Profile($"ns{n}"), cancellationToken);
        }

        await CreateAsync(client, Profile("probe"), cancellationToken);
        for (var p = 0; p < policies; p++)
        {
            await CreateAsync(client, Policy(p), cancellationToken);
        }

        for (var i = 0; i < remoteEndpoints; i++)
        {
            await CreateAsync(client, Endpoint($"remote{i % 100}", i, RemoteIp(i), LocalInterface(i)), cancellationToken);
        }

        for (var i = 0; i < localEndpoints; i++)
        {
            await CreateAsync(client, Endpoint(HostNode, i, LocalIp(i), LocalInterface(i)), cancellationToken);
        }
    }

    /// <summary>
    /// Policy p: namespaced ones allow TCP from frontends of a sibling app on two ports and UDP 53 from a /16; every
    /// fourth is global (in/out), allowing one web group's 500 remote members in and one /24 out.
    /// </summary>
    private static string Policy(int p)
    {
        var app = $"app{p % Apps}";
        if (p % 4 == 3)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $$$"""{"apiVersion":"projectcalico.org/v3","kind":"GlobalNetworkPolicy","metadata":{"name":"gnp-{{{p}}}"},"spec":{"order":{{{100 + p}}},"selector":"app == '{{{app}}}'","types":["Ingress","Egress"],"ingress":[{"action":"Allow","protocol":"TCP","source":{"selector":"web == 'web{{{p % WebGroups}}}'"},"destination":{"ports":[443,"8000:8100"]}}],"egress":[{"action":"Allow","protocol":"UDP","destination":{"nets":["198.18.{{{p % 250}}}.0/24"],"ports":[53]}},{"action":"Allow","destination":{"selector":"app == 'app{{{(p + 7) % Apps}}}'"}}]}}""");
        }

        var ns = $"ns{p % Namespaces}";
        return string.Create(CultureInfo.InvariantCulture,
            $$$"""{"apiVersion":"projectcalico.org/v3","kind":"NetworkPolicy","metadata":{"name":"np-{{{p}}}","namespace":"{{{ns}}}"},"spec":{"order":{{{p % 100}}},"selector":"app == '{{{app}}}'","types":["Ingress"],"ingress":[{"action":"Allow","protocol":"TCP","source":{"selector":"role == 'frontend' && app == 'app{{{(p + 1) % Apps}}}'"},"destination":{"ports":[{{{80 + p % 10}}},8080]}},{"action":"Allow","protocol":"UDP","source":{"nets":["10.{{{p % 250}}}.0.0/16"]},"destination":{"ports":[53]}},{"action":"Deny","source":{"nets":["192.0.2.{{{p % 256}}}/32"]}}]}}""");
    }

    private static string Profile(string ns) => string.Create(CultureInfo.InvariantCulture,
        $$$$"""{"apiVersion":"projectcalico.org/v3","kind":"Profile","metadata":{"name":"kns.{{{{ns}}}}"},"spec":{"ingress":[{"action":"Allow"}],"egress":[{"action":"Allow"}],"labelsToApply":{"pcns.projectcalico.org/name":"{{{{ns}}}}"}}}""");

    private static string Endpoint(string node, int i, string ip, string interfaceName)
    {
        var ns = $"ns{i % Namespaces}";
        var role = i % 3 == 0 ? "frontend" : "backend";
        return string.Create(CultureInfo.InvariantCulture,
            $$$"""{"apiVersion":"projectcalico.org/v3","kind":"WorkloadEndpoint","metadata":{"name":"{{{node}}}-k8s-pod--{{{i}}}-eth0","namespace":"{{{ns}}}","labels":{"app":"app{{{i % Apps}}}","role":"{{{role}}}","web":"web{{{i % WebGroups}}}","projectcalico.org/namespace":"{{{ns}}}","projectcalico.org/orchestrator":"k8s"}},"spec":{"orchestrator":"k8s","node":"{{{node}}}","pod":"pod-{{{i}}}","endpoint":"eth0","interfaceName":"{{{interfaceName}}}","ipNetworks":["{{{ip}}}/32"],"profiles":["kns.{{{ns}}}"]}}""");
    }

    /// <summary>A probe pod's endpoint (labels decide which probe policy and set it is in).</summary>
    public static string ProbeEndpoint(string pod, string ip, string interfaceName, IReadOnlyDictionary<string, string> labels, string? resourceVersion)
    {
        var labelJson = new JsonObject { ["projectcalico.org/namespace"] = "probe", ["projectcalico.org/orchestrator"] = "k8s" };
        foreach (var (k, v) in labels)
        {
            labelJson[k] = v;
        }

        var metadata = new JsonObject { ["name"] = $"{HostNode}-k8s-{pod}-eth0", ["namespace"] = "probe", ["labels"] = labelJson };
        if (resourceVersion is not null)
        {
            metadata["resourceVersion"] = resourceVersion;
        }

        var doc = new JsonObject
        {
            ["apiVersion"] = "projectcalico.org/v3",
            ["kind"] = "WorkloadEndpoint",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject
            {
                ["orchestrator"] = "k8s",
                ["node"] = HostNode,
                ["pod"] = pod,
                ["endpoint"] = "eth0",
                ["interfaceName"] = interfaceName,
                ["ipNetworks"] = new JsonArray(ip + "/32"),
                ["profiles"] = new JsonArray("kns.probe"),
            },
        };
        return doc.ToJsonString();
    }

    /// <summary>
    /// The probe gate: the only policy on the server pod, in the default tier (whose end-of-tier action is deny): one
    /// rule for UDP to the probe port from members of <c>probe-access == 'yes'</c>, with the given action.
    /// </summary>
    public static string ProbeGate(string action, int port, string? resourceVersion)
    {
        var version = resourceVersion is null ? "" : $",\"resourceVersion\":\"{resourceVersion}\"";
        return string.Create(CultureInfo.InvariantCulture,
            $$$"""{"apiVersion":"projectcalico.org/v3","kind":"GlobalNetworkPolicy","metadata":{"name":"probe-gate"{{{version}}} },"spec":{"order":1,"selector":"probe == 'server'","types":["Ingress"],"ingress":[{"action":"{{{action}}}","protocol":"UDP","source":{"selector":"probe-access == 'yes'"},"destination":{"ports":[{{{port}}}]}}]}}""");
    }

    public static async Task<Resource> CreateAsync(ResourceClient client, string json, CancellationToken cancellationToken)
    {
        var result = await client.CreateAsync(Parse(json), cancellationToken);
        return result.Succeeded ? result.Resource! : throw new InvalidOperationException("create failed: " + result.Message);
    }

    public static async Task<Resource> UpdateAsync(ResourceClient client, string json, CancellationToken cancellationToken)
    {
        var result = await client.UpdateAsync(Parse(json), cancellationToken);
        return result.Succeeded ? result.Resource! : throw new InvalidOperationException("update failed: " + result.Message);
    }

    private static Resource Parse(string json) => ResourceCodec.FromJsonNode((JsonObject)JsonNode.Parse(json)!);

    private static string Address(int baseAddress, int offset)
    {
        var a = (uint)(baseAddress + offset);
        return string.Create(CultureInfo.InvariantCulture, $"{a >> 24}.{(a >> 16) & 255}.{(a >> 8) & 255}.{a & 255}");
    }
}
