using Calico.Api;
using Calico.Felix.Calc;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules.Tests;

/// <summary>The golden cases: small dataplane states built in code, or from testdata/&lt;case&gt;/input.yaml through the graph.</summary>
internal static partial class GoldenCases
{
    public const string NetSet = "s:web-pods";
    public const string NamedPortSet = "n:http-web";

    /// <summary>The first seven document the unmerged renderer; the <c>merged-</c> cases the same inputs (and one of runs) with <see cref="RenderConfig.MergeRuleRuns"/>.</summary>
    public static TheoryData<string> Names { get; } = new()
    {
        "empty", "profile-only", "tiers-and-rules", "endpoint-to-host-accept", "from-calc-graph", "host-endpoints", "nat-outgoing",
        "merged-tiers-and-rules", "merged-from-calc-graph", "merged-host-endpoints", "merged-runs", "spoofed-source-prefixes",
        "host-endpoint-modes", "merged-host-endpoint-modes",
        "nat-outgoing-address", "nat-port-range", "nat-exclude-host-ips", "nat-interface-filter", "nat-outgoing-all-options",
        "floating-ips",
        "flow-logs",
    };

    private static readonly RenderConfig Unmerged = new() { MergeRuleRuns = false };

    public static (DataplaneState State, RenderConfig Config) Get(string name) => name switch
    {
        "empty" => (new DataplaneState(), Unmerged),
        "profile-only" => (ProfileOnly(), Unmerged),
        "tiers-and-rules" => (TiersAndRules(), Unmerged),
        "endpoint-to-host-accept" => (ProfileOnly(), Unmerged with { DefaultEndpointToHostAction = EndpointToHostAction.Accept }),
        "from-calc-graph" => (FromYaml(File.ReadAllText(Golden.PathOf(name, "input.yaml"))), Unmerged),
        "host-endpoints" => (HostEndpoints(), HostEndpointsConfig(Unmerged)),
        "nat-outgoing" => (ProfileOnly(), Unmerged),
        "merged-tiers-and-rules" => (TiersAndRules(), new RenderConfig()),
        "merged-from-calc-graph" => (FromYaml(File.ReadAllText(Golden.PathOf("from-calc-graph", "input.yaml"))), new RenderConfig()),
        "merged-host-endpoints" => (HostEndpoints(), HostEndpointsConfig(new RenderConfig())),
        "merged-runs" => (MergedRuns.State(), new RenderConfig()),
        "spoofed-source-prefixes" => (SpoofedSourcePrefixes(), Unmerged with { AllowWorkloadSourceSpoofing = true }),
        "host-endpoint-modes" => (FromYaml(File.ReadAllText(Golden.PathOf(name, "input.yaml"))), HostEndpointsConfig(Unmerged)),
        "merged-host-endpoint-modes" => (FromYaml(File.ReadAllText(Golden.PathOf("host-endpoint-modes", "input.yaml"))), HostEndpointsConfig(new RenderConfig())),
        _ when NatGoldenCases.Has(name) => (ProfileOnly(), NatGoldenCases.Config(name)),
        "floating-ips" => (FloatingIps(), Unmerged with { FloatingIps = true }),
        "flow-logs" => (FlowLogs(), new RenderConfig { FlowLogs = true }),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown golden case"),
    };

    private static RenderConfig HostEndpointsConfig(RenderConfig config) => config with
    {
        FailsafeInboundHostPorts = [.. RenderConfig.DefaultFailsafeInbound, new HostPort("tcp", 10250, "192.168.0.0/16"), new HostPort("udp", 4789, "fd00::/8")],
    };

    /// <summary>NAT inputs per case: only "nat-outgoing" has pools (v4 and v6, one v4 pool without natOutgoing).</summary>
    public static NatInputs NatFor(string name) => name == "nat-outgoing"
        ? new NatInputs(["10.0.0.0/16", "10.10.0.0/16", "fd00:10::/64"], ["10.0.0.0/16", "fd00:10::/64"])
        : NatGoldenCases.Has(name) ? NatGoldenCases.Nat : NatInputs.None;

    public static PolicyKey DenyAllPolicy { get; } = new("default", "GlobalNetworkPolicy", null, "deny-all");

    /// <summary>Workloads as in <see cref="TiersAndRules"/>, a deny-all host endpoint on eth0, a profile-only one on eth1.</summary>
    public static DataplaneState HostEndpoints()
    {
        DataplaneState state = TiersAndRules();
        state.Apply(new ActivePolicyUpdate(DenyAllPolicy, new PolicyIntent([new RuleModel { Action = RuleAction.Deny }], [new RuleModel { Action = RuleAction.Deny }])));
        var tier = new TierIntent("default", RuleAction.Deny, [DenyAllPolicy], [DenyAllPolicy]);
        state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(true, null, "node1-eth0"), "eth0", ["192.168.0.10/32"], [], [tier], [])));
        state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(true, null, "node1-eth1"), "eth1", [], [], [], ["kns.prod"])));
        state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(true, null, "node1-all"), "*", [], [], [], [])));
        return state;
    }

    public static PolicyKey AdminPolicy { get; } = new("admin", "GlobalNetworkPolicy", null, "allow-dns");

    public static PolicyKey WebPolicy { get; } = new("default", "NetworkPolicy", "prod", "web");

    /// <summary><see cref="ProfileOnly"/> plus a workload allowed to send from other prefixes (one v4 prefix covers another, one v6).</summary>
    public static DataplaneState SpoofedSourcePrefixes()
    {
        DataplaneState state = ProfileOnly();
        state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(false, "prod", "node1-k8s-router-eth0"), "cali9abc", ["10.0.0.9/32"], ["fd00::9/128"], [], ["kns.prod"])
        {
            AllowSpoofedSourcePrefixes = ["192.168.0.0/16", "192.168.1.0/24", "172.16.0.1/32", "fd00:99::/64"],
        }));
        state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(false, "prod", "node1-k8s-v6-eth0"), "cali9def", [], ["fd00::10/128"], [], ["kns.prod"])
        {
            AllowSpoofedSourcePrefixes = ["fd00:98::/64"],
        }));
        return state;
    }

    public static DataplaneState ProfileOnly()
    {
        var state = new DataplaneState();
        state.Apply(new ActiveProfileUpdate("kns.prod", new ProfileIntent([new RuleModel { Action = RuleAction.Allow }], [new RuleModel { Action = RuleAction.Allow }])));
        state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(false, "prod", "node1-k8s-web1-eth0"), "cali1234", ["10.0.0.1/32"], [], [], ["kns.prod"])));
        return state;
    }

    public static DataplaneState TiersAndRules()
    {
        var state = new DataplaneState();
        state.Apply(new IpSetUpdate(NetSet, IpSetType.Net, ["10.0.0.1/32", "10.0.0.2/32", "10.1.0.0/16", "fd00::1/128"]));
        state.Apply(new IpSetUpdate(NamedPortSet, IpSetType.IpPort, ["10.0.0.1,tcp:8080", "10.0.0.2,tcp:8081", "fd00::1,tcp:8080"]));
        state.Apply(new ActivePolicyUpdate(AdminPolicy, new PolicyIntent(
            [],
            [
                new RuleModel { Action = RuleAction.Allow, Protocol = 17, DstPorts = [new PortRange(53, 53)] },
                new RuleModel { Action = RuleAction.Log, Protocol = 6, DstPorts = [new PortRange(1, 1023)], NotDstPorts = [new PortRange(22, 22)] },
                new RuleModel { Action = RuleAction.Deny, DstNets = ["169.254.169.254/32"], Index = 2 },
                new RuleModel { Action = RuleAction.Pass, Index = 3 },
            ])));
        state.Apply(new ActivePolicyUpdate(WebPolicy, new PolicyIntent(
            [
                new RuleModel { Action = RuleAction.Allow, Protocol = 6, SrcIpSetIds = [NetSet], DstPorts = [new PortRange(80, 80), new PortRange(8000, 8100)], DstNamedPortIpSetIds = [NamedPortSet] },
                new RuleModel { Action = RuleAction.Allow, Protocol = 1, IcmpType = 8, IcmpCode = 0, SrcNets = ["192.168.0.0/16", "10.2.3.4/8"], Index = 1 },
                new RuleModel { Action = RuleAction.Allow, Protocol = 58, IcmpType = 128, Index = 2 },
                new RuleModel { Action = RuleAction.Deny, NotProtocol = 6, NotSrcIpSetIds = [NetSet], NotSrcNets = ["fd00::/8"], Index = 3 },
                new RuleModel { Action = RuleAction.Allow, Protocol = 1, NotIcmpType = 3, NotIcmpCode = 4, IpVersion = 4, Index = 4 },
                new RuleModel { Action = RuleAction.Allow, Protocol = 6, SrcNets = ["fd00::/64"], NotDstNamedPortIpSetIds = [NamedPortSet], SrcPorts = [new PortRange(1024, 65535)], Index = 5 },
            ],
            [
                new RuleModel { Action = RuleAction.Allow, DstIpSetIds = [NetSet], IpVersion = 6 },
            ])));
        state.Apply(new ActiveProfileUpdate("kns.prod", new ProfileIntent([new RuleModel { Action = RuleAction.Allow }], [new RuleModel { Action = RuleAction.Allow }])));
        var admin = new TierIntent("admin", RuleAction.Pass, [], [AdminPolicy]);
        var dflt = new TierIntent("default", RuleAction.Deny, [WebPolicy], [WebPolicy]);
        state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(false, "prod", "node1-k8s-web1-eth0"), "cali1234", ["10.0.0.1/32"], ["fd00::1/128"], [admin, dflt], ["kns.prod"])));
        state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(false, "prod", "node1-k8s-web2-eth0"), "cali5678", ["10.0.0.2/32"], [], [admin, dflt], ["kns.prod"])));
        state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(false, "prod", "node1-k8s-db-eth0"), "calidb", ["10.0.0.3/32"], [], [admin], ["kns.prod", "missing-profile"])));
        return state;
    }

    /// <summary>Feeds resources through a real <see cref="CalculationGraph"/> for host node1 and returns what it flushes.</summary>
    public static DataplaneState FromYaml(string yaml)
    {
        var graph = new CalculationGraph("node1");
        foreach (Resource resource in ResourceCodec.Decode(yaml))
        {
            Resource converted = resource is KubernetesNetworkPolicy knp ? KubernetesConversion.ToCalicoPolicy(knp) : resource;
            ResourceDefaults.Apply(converted);
            graph.OnUpdate(new ResourceUpdate(ResourceKinds.Of(converted), converted.Metadata.Namespace, converted.Metadata.Name!, converted));
        }

        graph.OnInSync();
        var state = new DataplaneState();
        state.Apply(graph.Flush());
        return state;
    }
}
