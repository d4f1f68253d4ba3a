using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Calico.Api;
using Calico.Felix.Calc;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;

namespace Calico.Benchmarks;

/// <summary>
/// The rulesets of <see cref="HostEdgeBenchmarks"/>, built as calico-node builds them: Calico resources through
/// <see cref="CalculationGraph"/> for host1, the <see cref="DataplaneState"/> through our renderer, the full
/// <c>nft -f</c> transaction of <c>table inet calico</c>. Every one holds the two pods with the namespace's
/// allow-all profile (what the Kubernetes namespace controller writes).
/// </summary>
internal static class HepRulesets
{
    public const int CrrPort = 7777;
    private const string Namespace = "bench";
    private const string LocalHost = "host1";

    /// <summary>The pods only: the path "without host endpoints".</summary>
    public static PacketsRuleset Workloads(HepTopology topology) => Build("(b) pods, no host endpoint", 0, WorkloadResources(topology));

    /// <summary>
    /// The pods, an all-interfaces host endpoint and <paramref name="policies"/> host policies selecting it (ingress and
    /// egress; not applyOnForward, so forwarded traffic is not theirs to judge) whose rules never match the flows.
    /// </summary>
    public static PacketsRuleset AllInterfaces(HepTopology topology, int policies)
    {
        var resources = new List<ResourceUpdate>(WorkloadResources(topology))
        {
            HostEndpoint("host1-all", "*", "host"),
        };
        for (var i = 0; i < policies; i++)
        {
            resources.Add(Policy(string.Create(CultureInfo.InvariantCulture, $"host-{i:D5}"), i, "role == 'host'", DecoyIngress(i), DecoyEgress(i), untracked: false));
        }

        return Build(string.Create(CultureInfo.InvariantCulture, $"(c) * host endpoint + {policies:N0} host policies"), policies, resources);
    }

    /// <summary>
    /// A host endpoint on the outside interface with a policy allowing UDP and TCP to port 5201 (iperf3's data and
    /// control), and, when <paramref name="untracked"/>, a doNotTrack policy (applyOnForward, as upstream requires)
    /// allowing the UDP flow in and its replies out before conntrack.
    /// </summary>
    public static PacketsRuleset EdgeUdp(HepTopology topology, bool untracked)
    {
        var resources = new List<ResourceUpdate>(WorkloadResources(topology))
        {
            HostEndpoint("host1-edge", HepTopology.HostIf, "edge"),
            Policy("edge-iperf", 10, "role == 'edge'",
                $$$"""[{"action":"Allow","protocol":"UDP","destination":{"ports":[{{{HepIperf.Port}}}]}},{"action":"Allow","protocol":"TCP","destination":{"ports":[{{{HepIperf.Port}}}]}}]""",
                """[{"action":"Allow"}]""", untracked: false),
        };
        if (untracked)
        {
            resources.Add(Policy("edge-untracked", 1, "role == 'edge'",
                $$$"""[{"action":"Allow","protocol":"UDP","destination":{"ports":[{{{HepIperf.Port}}}]}}]""",
                $$$"""[{"action":"Allow","protocol":"UDP","source":{"ports":[{{{HepIperf.Port}}}]}}]""", untracked: true));
        }

        return Build(untracked ? "(e) UDP to the host: doNotTrack allow" : "(f) UDP to the host: tracked allow", 0, resources);
    }

    /// <summary>
    /// Kernel floors for the UDP path, no Calico rules: a raw chain untracking the flow, and, when
    /// <paramref name="conntrackHooked"/>, one <c>ct state</c> rule elsewhere in the table, which is what makes the
    /// kernel hook connection tracking into the namespace (any stateful firewall has one; ours has many). The gap
    /// between the two is what conntrack's hooks cost an untracked packet before any policy runs.
    /// </summary>
    public static PacketsRuleset UdpFloor(bool conntrackHooked)
    {
        string input = conntrackHooked
            ? "\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n\t\tct state established,related accept\n\t}\n"
            : string.Empty;
        string text = "table inet calico\ndelete table inet calico\ntable inet calico {\n"
            + "\tchain raw {\n\t\ttype filter hook prerouting priority raw; policy accept;\n"
            + string.Create(CultureInfo.InvariantCulture, $"\t\tudp dport {HepIperf.Port} notrack accept\n\t}}\n")
            + input + "}\n";
        return new PacketsRuleset(
            conntrackHooked ? "(h) floor: notrack + one ct rule" : "(g) floor: notrack rule only", text, 0, null, TimeSpan.Zero);
    }

    private static PacketsRuleset Build(string label, int policies, IEnumerable<ResourceUpdate> resources)
    {
        long started = Stopwatch.GetTimestamp();
        var graph = new CalculationGraph(LocalHost);
        foreach (ResourceUpdate update in resources)
        {
            graph.OnUpdate(update);
        }

        graph.OnInSync();
        var state = new DataplaneState();
        state.Apply(graph.Flush());
        string text = NftablesRenderer.Build(state, new RenderConfig(), NatInputs.None).ToFullTransaction();
        return new PacketsRuleset(label, text, policies, null, Stopwatch.GetElapsedTime(started));
    }

    private static IEnumerable<ResourceUpdate> WorkloadResources(HepTopology topology)
    {
        yield return Update(ResourceKinds.Tier, """{"apiVersion":"projectcalico.org/v3","kind":"Tier","metadata":{"name":"default"},"spec":{"order":1000000,"defaultAction":"Deny"}}""");
        yield return Update(ResourceKinds.Profile, """{"apiVersion":"projectcalico.org/v3","kind":"Profile","metadata":{"name":"kns.bench"},"spec":{"ingress":[{"action":"Allow"}],"egress":[{"action":"Allow"}],"labelsToApply":{"pcns.projectcalico.org/name":"bench"}}}""");
        yield return Endpoint("client", topology.ClientHostIf, HepTopology.ClientIp, "\"role\":\"client\"");
        yield return Endpoint("server", topology.ServerHostIf, HepTopology.ServerIp, "\"role\":\"server\"");
    }

    /// <summary>Ingress rules the benchmark flows (from 10.65.0.1 and 198.18.0.2 to TCP 5201/7777, UDP 5201) never match.</summary>
    private static string DecoyIngress(int i) => (i % 3) switch
    {
        0 => string.Create(CultureInfo.InvariantCulture,
            $$$"""[{"action":"Allow","protocol":"TCP","source":{"nets":["172.{{{16 + (i % 16)}}}.{{{i / 16 % 256}}}.0/24"]},"destination":{"ports":[9100]}}]"""),
        1 => string.Create(CultureInfo.InvariantCulture,
            $$$"""[{"action":"Allow","protocol":"TCP","source":{"nets":["192.168.{{{i % 256}}}.0/25","100.64.{{{i / 256 % 256}}}.{{{i % 256}}}/32"]},"destination":{"ports":[443,8443,"9000:9099"]}}]"""),
        _ => string.Create(CultureInfo.InvariantCulture,
            $$$"""[{"action":"Allow","protocol":"UDP","source":{"nets":["10.{{{96 + (i % 32)}}}.0.0/16"]},"destination":{"ports":[53]}},{"action":"Deny","protocol":"TCP","source":{"nets":["203.0.113.{{{i % 256}}}/32"]}}]"""),
    };

    private static string DecoyEgress(int i) => string.Create(CultureInfo.InvariantCulture,
        $$$"""[{"action":"Allow","protocol":"TCP","destination":{"nets":["203.0.113.{{{i % 256}}}/32"],"ports":[443]}},{"action":"Allow","protocol":"UDP","destination":{"nets":["10.96.{{{i % 256}}}.10/32"],"ports":[53]}}]""");

    private static ResourceUpdate Policy(string name, int order, string selector, string ingress, string egress, bool untracked) =>
        Update(ResourceKinds.GlobalNetworkPolicy, string.Create(CultureInfo.InvariantCulture,
            $$$"""{"apiVersion":"projectcalico.org/v3","kind":"GlobalNetworkPolicy","metadata":{"name":"{{{name}}}"},"spec":{"order":{{{order}}},"selector":"{{{selector}}}","types":["Ingress","Egress"],"doNotTrack":{{{(untracked ? "true" : "false")}}},"applyOnForward":{{{(untracked ? "true" : "false")}}},"ingress":{{{ingress}}},"egress":{{{egress}}}}}"""));

    private static ResourceUpdate HostEndpoint(string name, string interfaceName, string role) =>
        Update(ResourceKinds.HostEndpoint,
            $$$"""{"apiVersion":"projectcalico.org/v3","kind":"HostEndpoint","metadata":{"name":"{{{name}}}","labels":{"role":"{{{role}}}"}},"spec":{"node":"{{{LocalHost}}}","interfaceName":"{{{interfaceName}}}"}}""");

    private static ResourceUpdate Endpoint(string pod, string interfaceName, string ip, string labels)
    {
        var name = $"{LocalHost}-k8s-{pod}-eth0";
        var json = $$$"""{"apiVersion":"projectcalico.org/v3","kind":"WorkloadEndpoint","metadata":{"name":"{{{name}}}","namespace":"{{{Namespace}}}","labels":{{{{labels}}},"projectcalico.org/namespace":"{{{Namespace}}}","projectcalico.org/orchestrator":"k8s"}},"spec":{"orchestrator":"k8s","node":"{{{LocalHost}}}","pod":"{{{pod}}}","endpoint":"eth0","interfaceName":"{{{interfaceName}}}","ipNetworks":["{{{ip}}}/32"],"profiles":["kns.{{{Namespace}}}"]}}""";
        return Update(ResourceKinds.WorkloadEndpoint, json);
    }

    private static ResourceUpdate Update(ResourceKind kind, string json)
    {
        Resource resource = ResourceCodec.FromJsonNode((JsonObject)JsonNode.Parse(json)!);
        ResourceDefaults.Apply(resource);
        return new ResourceUpdate(kind, resource.Metadata.Namespace, resource.Metadata.Name!, resource);
    }
}
