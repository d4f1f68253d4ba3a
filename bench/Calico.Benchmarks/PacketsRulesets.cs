using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Calico.Api;
using Calico.Felix.Calc;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;

namespace Calico.Benchmarks;

/// <summary>
/// Builds rulesets as calico-node would: Calico resources through <see cref="CalculationGraph"/> for host1, the
/// resulting <see cref="DataplaneState"/> through our renderer. The policies all select the server pod and allow
/// realistic traffic that the benchmark flow never is (sources in selector-backed sets of 10 remote endpoints,
/// CIDR lists, port lists), except the last one, which allows the client to the benchmark ports: every new flow
/// walks past every policy before it is accepted.
/// </summary>
internal static class PacketsRulesets
{
    public const int IperfPort = 5201;
    public const int CrrPort = 7777;
    private const string Namespace = "bench";
    private const string LocalHost = "host1";
    private const int RemoteGroups = 100;
    private const int EndpointsPerGroup = 10;

    public static PacketsRuleset None() => new("(a) no table", null, 0, null, TimeSpan.Zero);

    public static PacketsRuleset Build(string label, int policies, PacketsTopology topology, RenderConfig? config = null)
    {
        long started = Stopwatch.GetTimestamp();
        DataplaneState state = State(policies, topology);
        string text = NftablesRenderer.Build(state, config ?? new RenderConfig(), PodPool).ToFullTransaction();
        PolicyKey? final = policies > 0 ? new PolicyKey("default", "GlobalNetworkPolicy", null, FinalPolicyName) : null;
        return new PacketsRuleset(label, text, policies, final, Stopwatch.GetElapsedTime(started)) { State = state };
    }

    private const string FinalPolicyName = "bench-allow-clients";

    /// <summary>The pods' IP pool, as calico-node always has one (no natOutgoing: pod to pod is never NATed anyway).</summary>
    private static readonly NatInputs PodPool = new(["10.65.0.0/16"], []);

    /// <summary>The dataplane state calico-node would hold for this many policies on host1.</summary>
    public static DataplaneState State(int policies, PacketsTopology topology) =>
        State(policies, topology.ClientHostIf, topology.ServerHostIf);

    /// <summary>As above, for the client and server pods on these host interfaces (which need not exist).</summary>
    public static DataplaneState State(int policies, string clientHostIf, string serverHostIf)
    {
        var graph = new CalculationGraph(LocalHost);
        foreach (ResourceUpdate update in Resources(policies, clientHostIf, serverHostIf))
        {
            graph.OnUpdate(update);
        }

        graph.OnInSync();
        var state = new DataplaneState();
        state.Apply(graph.Flush());
        return state;
    }

    private static IEnumerable<ResourceUpdate> Resources(int policies, string clientHostIf, string serverHostIf)
    {
        yield return Update(ResourceKinds.Tier, """{"apiVersion":"projectcalico.org/v3","kind":"Tier","metadata":{"name":"default"},"spec":{"order":1000000,"defaultAction":"Deny"}}""");

        // What the Kubernetes namespace controller writes for namespace "bench": allow all, no policy.
        yield return Update(ResourceKinds.Profile, """{"apiVersion":"projectcalico.org/v3","kind":"Profile","metadata":{"name":"kns.bench"},"spec":{"ingress":[{"action":"Allow"}],"egress":[{"action":"Allow"}],"labelsToApply":{"pcns.projectcalico.org/name":"bench"}}}""");
        yield return Endpoint(LocalHost, "client", clientHostIf, PacketsTopology.ClientIp, "\"role\":\"client\",\"app\":\"bench-client\"");
        yield return Endpoint(LocalHost, "server", serverHostIf, PacketsTopology.ServerIp, "\"role\":\"server\",\"app\":\"bench-server\"");
        if (policies == 0)
        {
            yield break;
        }

        for (var g = 0; g < RemoteGroups; g++)
        {
            for (var e = 0; e < EndpointsPerGroup; e++)
            {
                var ip = string.Create(CultureInfo.InvariantCulture, $"10.66.{g}.{e + 1}");
                var pod = string.Create(CultureInfo.InvariantCulture, $"svc{g}-{e}");
                yield return Endpoint("host2", pod, "cali" + pod, ip, string.Create(CultureInfo.InvariantCulture, $"\"app\":\"svc-{g}\",\"tier\":\"web\""));
            }
        }

        for (var i = 0; i < policies - 1; i++)
        {
            yield return Policy(string.Create(CultureInfo.InvariantCulture, $"bench-{i:D5}"), i, DecoyRules(i));
        }

        yield return Policy(FinalPolicyName, policies,
            $$$"""[{"action":"Allow","protocol":"TCP","source":{"selector":"role == 'client'"},"destination":{"ports":[{{{IperfPort}}},{{{CrrPort}}}]}}]""");
    }

    /// <summary>Ingress rules the benchmark flow (10.65.0.1 -> 10.65.0.2, TCP 5201/7777) never matches.</summary>
    private static string DecoyRules(int i) => (i % 3) switch
    {
        // Selector-backed source set (10 remote endpoints) to one service port; plus a CIDR allow for monitoring.
        0 => string.Create(CultureInfo.InvariantCulture,
            $$$"""[{"action":"Allow","protocol":"TCP","source":{"selector":"app == 'svc-{{{i % RemoteGroups}}}'"},"destination":{"ports":[{{{8000 + (i % 500)}}}]}},{"action":"Allow","protocol":"TCP","source":{"nets":["172.{{{16 + (i % 16)}}}.{{{i / 16 % 256}}}.0/24"]},"destination":{"ports":[9100]}}]"""),

        // A CIDR list to a port list with a range.
        1 => string.Create(CultureInfo.InvariantCulture,
            $$$"""[{"action":"Allow","protocol":"TCP","source":{"nets":["192.168.{{{i % 256}}}.0/25","100.64.{{{i / 256 % 256}}}.{{{i % 256}}}/32","198.51.100.{{{i % 256}}}/32"]},"destination":{"ports":[443,8443,"9000:9099"]}}]"""),

        // A compound selector (set) over several ports, and a UDP DNS allow from a CIDR.
        _ => string.Create(CultureInfo.InvariantCulture,
            $$$"""[{"action":"Allow","protocol":"TCP","source":{"selector":"app == 'svc-{{{(i + 7) % RemoteGroups}}}' && tier == 'web'"},"destination":{"ports":[80,8080,"3000:3009"]}},{"action":"Allow","protocol":"UDP","source":{"nets":["10.{{{96 + (i % 32)}}}.0.0/16"]},"destination":{"ports":[53]}}]"""),
    };

    private static ResourceUpdate Policy(string name, int order, string ingressRules) =>
        Update(ResourceKinds.GlobalNetworkPolicy, string.Create(CultureInfo.InvariantCulture,
            $$$"""{"apiVersion":"projectcalico.org/v3","kind":"GlobalNetworkPolicy","metadata":{"name":"{{{name}}}"},"spec":{"order":{{{order}}},"selector":"role == 'server'","types":["Ingress"],"ingress":{{{ingressRules}}}}}"""));

    private static ResourceUpdate Endpoint(string node, string pod, string interfaceName, string ip, string labels)
    {
        var name = $"{node}-k8s-{pod}-eth0";
        var json = $$$"""{"apiVersion":"projectcalico.org/v3","kind":"WorkloadEndpoint","metadata":{"name":"{{{name}}}","namespace":"{{{Namespace}}}","labels":{{{{labels}}},"projectcalico.org/namespace":"{{{Namespace}}}","projectcalico.org/orchestrator":"k8s"}},"spec":{"orchestrator":"k8s","node":"{{{node}}}","pod":"{{{pod}}}","endpoint":"eth0","interfaceName":"{{{interfaceName}}}","ipNetworks":["{{{ip}}}/32"],"profiles":["kns.{{{Namespace}}}"]}}""";
        return Update(ResourceKinds.WorkloadEndpoint, json);
    }

    private static ResourceUpdate Update(ResourceKind kind, string json)
    {
        Resource resource = ResourceCodec.FromJsonNode((JsonObject)JsonNode.Parse(json)!);
        ResourceDefaults.Apply(resource);
        return new ResourceUpdate(kind, resource.Metadata.Namespace, resource.Metadata.Name!, resource);
    }
}
