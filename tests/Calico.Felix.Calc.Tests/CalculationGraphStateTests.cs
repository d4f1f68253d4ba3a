using Calico.Felix.Calc.Model;
using static Calico.Felix.Calc.Tests.Expect;

namespace Calico.Felix.Calc.Tests;

[Trait("Tier", "Unit")]
public sealed class CalculationGraphStateTests
{
    private const string Web1 = "node1-k8s-web1-eth0";
    private const string Db1 = "node1-k8s-db1-eth0";
    private const string Db2 = "node1-k8s-db2-eth0";
    private const string NsDb = "(projectcalico.org/namespace == \"ns1\") && (app == \"db\")";
    private const string WebSel = "(app == \"web\") && projectcalico.org/namespace == \"ns1\"";

    private static readonly string s_pods =
        Yaml.Namespace("ns1", "pcns.team: a") + Yaml.Namespace("ns2", "pcns.team: b")
        + Yaml.Wep("ns1", "web1", "10.0.0.1/32", "app: web")
        + Yaml.Wep("ns1", "db1", "10.0.0.2/32", "app: db", ports: "{name: sql, protocol: TCP, port: 5432}")
        + Yaml.Wep("ns2", "db2", "10.0.0.3/32", "app: db", ports: "{name: sql, protocol: UDP, port: 5433}");

    private static Expect Pods(Expect e, TierIntent[]? webTiers = null) => e
        .Profile("kns.ns1").Profile("kns.ns2")
        .Wep("ns1", Web1, "10.0.0.1/32", ["kns.ns1"], webTiers ?? [])
        .Wep("ns1", Db1, "10.0.0.2/32", ["kns.ns1"])
        .Wep("ns2", Db2, "10.0.0.3/32", ["kns.ns2"]);

    private static readonly CalcState s_podsOnly = CalcState.Of("pods", s_pods, e => Pods(e));

    [Fact]
    public void NamespacedPolicy_RuleSelector_IsScopedToNamespace()
    {
        var withPolicy = CalcState.Of("np", s_pods + """
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicy
            metadata: {name: web, namespace: ns1}
            spec:
              selector: app == 'web'
              ingress:
              - action: Allow
                protocol: TCP
                source: {selector: app == 'db'}
                destination: {ports: [80, "8000:8080"]}
              - action: Deny
                source: {notSelector: app == 'db'}
              - action: Allow
                source: {nets: [10.1.0.0/16], notNets: [10.1.2.3]}
            """, e => Pods(e, [Tier("default", RuleAction.Deny, [Np("ns1", "web")], [])])
            .IpSet(Sel(NsDb), "10.0.0.2/32")
            .IpSet(Sel("(projectcalico.org/namespace == \"ns1\") && (!(app == \"db\"))"), "10.0.0.1/32")
            .Policy(Np("ns1", "web"), inbound:
            [
                new RuleModel { Action = RuleAction.Allow, Protocol = 6, SrcIpSetIds = [Sel(NsDb)], DstPorts = [new(80, 80), new(8000, 8080)], Index = 0 },
                new RuleModel { Action = RuleAction.Deny, SrcIpSetIds = [Sel("(projectcalico.org/namespace == \"ns1\") && (!(app == \"db\"))")], Index = 1 },
                new RuleModel { Action = RuleAction.Allow, SrcNets = ["10.1.0.0/16"], NotSrcNets = ["10.1.2.3/32"], Index = 2 },
            ]));
        StateHarness.Run("node1", s_podsOnly, withPolicy);
    }

    [Fact]
    public void NamespaceSelector_ProfileLabelChange_MovesEndpointInAndOutOfIpSet()
    {
        const string policy = """
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata: {name: from-team-a}
            spec:
              selector: app == 'web'
              ingress:
              - action: Allow
                source: {namespaceSelector: team == 'a'}
              - action: Allow
                source: {namespaceSelector: global()}
              - action: Allow
                source: {namespaceSelector: all(), selector: app == 'db'}
            ---

            """;
        var sets = new[] { "pcns.team == \"a\"", "!has(projectcalico.org/namespace)", "(has(projectcalico.org/namespace)) && (app == \"db\")" };
        Expect Common(Expect e) => e
            .Wep("ns1", Web1, "10.0.0.1/32", ["kns.ns1"], Tier("default", RuleAction.Deny, [Gnp("from-team-a")], []))
            .Wep("ns1", Db1, "10.0.0.2/32", ["kns.ns1"])
            .Wep("ns2", Db2, "10.0.0.3/32", ["kns.ns2"])
            .IpSet(Sel(sets[1]))
            .IpSet(Sel(sets[2]), "10.0.0.2/32", "10.0.0.3/32")
            .Policy(Gnp("from-team-a"), inbound:
            [
                new RuleModel { Action = RuleAction.Allow, SrcIpSetIds = [Sel(sets[0])], Index = 0 },
                new RuleModel { Action = RuleAction.Allow, SrcIpSetIds = [Sel(sets[1])], Index = 1 },
                new RuleModel { Action = RuleAction.Allow, SrcIpSetIds = [Sel(sets[2])], Index = 2 },
            ]);
        var teamA = CalcState.Of("ns1 is team a", s_pods + policy, e => Common(e).Profile("kns.ns1").Profile("kns.ns2")
            .IpSet(Sel(sets[0]), "10.0.0.1/32", "10.0.0.2/32"));
        var swapped = CalcState.Of("ns2 is team a", s_pods.Replace("team: a", "team: x", StringComparison.Ordinal).Replace("team: b", "team: a", StringComparison.Ordinal) + policy,
            e => Common(e).Profile("kns.ns1").Profile("kns.ns2").IpSet(Sel(sets[0]), "10.0.0.3/32"));
        StateHarness.Run("node1", s_podsOnly, teamA, swapped);
    }

    [Fact]
    public void NetworkSets_GlobalAndNamespaced_SelectedByScope()
    {
        const string sets = """
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkSet
            metadata: {name: ext, labels: {role: ext}}
            spec: {nets: [192.0.2.0/24, 198.51.100.7/32]}
            ---
            apiVersion: projectcalico.org/v3
            kind: NetworkSet
            metadata: {name: local-ext, namespace: ns1, labels: {role: ext}}
            spec: {nets: [203.0.113.0/25, 192.0.2.0/24]}
            ---

            """;
        const string policies = """
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicy
            metadata: {name: egress, namespace: ns1}
            spec:
              selector: app == 'web'
              types: [Egress]
              egress:
              - action: Allow
                destination: {selector: role == 'ext'}
            ---
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata: {name: g-egress}
            spec:
              order: 10
              selector: app == 'web'
              types: [Egress]
              egress:
              - action: Allow
                destination: {selector: role == 'ext'}
              - action: Deny
                destination: {namespaceSelector: global(), selector: role == 'ext'}
            ---

            """;
        const string scoped = "(projectcalico.org/namespace == \"ns1\") && (role == \"ext\")";
        const string global = "(!has(projectcalico.org/namespace)) && (role == \"ext\")";
        var withSets = CalcState.Of("sets", s_pods + sets + policies, e => Pods(e,
                [Tier("default", RuleAction.Deny, [], [Gnp("g-egress"), Np("ns1", "egress")])])
            .IpSet(Sel(scoped), "203.0.113.0/25", "192.0.2.0/24")
            .IpSet(Sel("role == \"ext\""), "192.0.2.0/24", "198.51.100.7/32", "203.0.113.0/25")
            .IpSet(Sel(global), "192.0.2.0/24", "198.51.100.7/32")
            .Policy(Np("ns1", "egress"), outbound: [new RuleModel { Action = RuleAction.Allow, DstIpSetIds = [Sel(scoped)] }])
            .Policy(Gnp("g-egress"), outbound:
            [
                new RuleModel { Action = RuleAction.Allow, DstIpSetIds = [Sel("role == \"ext\"")] },
                new RuleModel { Action = RuleAction.Deny, DstIpSetIds = [Sel(global)], Index = 1 },
            ]));
        var policiesOnly = CalcState.Of("policies only", s_pods + policies, e => Pods(e,
                [Tier("default", RuleAction.Deny, [], [Gnp("g-egress"), Np("ns1", "egress")])])
            .IpSet(Sel(scoped)).IpSet(Sel("role == \"ext\"")).IpSet(Sel(global))
            .Policy(Np("ns1", "egress"), outbound: [new RuleModel { Action = RuleAction.Allow, DstIpSetIds = [Sel(scoped)] }])
            .Policy(Gnp("g-egress"), outbound:
            [
                new RuleModel { Action = RuleAction.Allow, DstIpSetIds = [Sel("role == \"ext\"")] },
                new RuleModel { Action = RuleAction.Deny, DstIpSetIds = [Sel(global)], Index = 1 },
            ]));
        StateHarness.Run("node1", s_podsOnly, policiesOnly, withSets);
    }

    [Fact]
    public void NamedPorts_ResolveOnDestinationEndpoints_PerProtocol()
    {
        var named = CalcState.Of("named", s_pods + """
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata: {name: sql}
            spec:
              selector: app == 'web'
              types: [Egress]
              egress:
              - action: Allow
                protocol: TCP
                destination: {selector: app == 'db', ports: [sql]}
              - action: Allow
                protocol: UDP
                destination: {ports: [sql, 53]}
              - action: Allow
                destination: {ports: [sql]}
            """, e => Pods(e, [Tier("default", RuleAction.Deny, [], [Gnp("sql")])])
            .PortSet(Named("app == \"db\"", "tcp", "sql"), "10.0.0.2,tcp:5432")
            .PortSet(Named("all()", "udp", "sql"), "10.0.0.3,udp:5433")
            .PortSet(Named("all()", "any", "sql"), "10.0.0.2,tcp:5432", "10.0.0.3,udp:5433")
            .Policy(Gnp("sql"), outbound:
            [
                new RuleModel { Action = RuleAction.Allow, Protocol = 6, DstNamedPortIpSetIds = [Named("app == \"db\"", "tcp", "sql")] },
                new RuleModel { Action = RuleAction.Allow, Protocol = 17, DstPorts = [new(53, 53)], DstNamedPortIpSetIds = [Named("all()", "udp", "sql")], Index = 1 },
                new RuleModel { Action = RuleAction.Allow, DstNamedPortIpSetIds = [Named("all()", "any", "sql")], Index = 2 },
            ]));
        StateHarness.Run("node1", s_podsOnly, named);
    }

    [Fact]
    public void Tiers_PassOrderTiesTypesAndMissingTier_SortedAsUpstream()
    {
        var tiers = CalcState.Of("tiers", s_pods + """
            apiVersion: projectcalico.org/v3
            kind: Tier
            metadata: {name: admin}
            spec: {order: 100, defaultAction: Pass}
            ---
            apiVersion: projectcalico.org/v3
            kind: Tier
            metadata: {name: default}
            spec: {order: 1000000}
            ---
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata: {name: admin.b}
            spec: {tier: admin, order: 10, selector: app == 'web', ingress: [{action: Pass}]}
            ---
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata: {name: admin.a}
            spec: {tier: admin, order: 10, selector: app == 'web', egress: [{action: Allow}]}
            ---
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata: {name: ghost.x}
            spec: {tier: ghost, selector: all(), types: [Ingress, Egress]}
            ---
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicy
            metadata: {name: zz, namespace: ns1}
            spec: {selector: app == 'web', ingress: [{action: Deny}]}
            ---
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicy
            metadata: {name: aa, namespace: ns1}
            spec: {order: 5, selector: app == 'web'}
            """, e => e.Profile("kns.ns1").Profile("kns.ns2")
            .Wep("ns1", Web1, "10.0.0.1/32", ["kns.ns1"],
                Tier("admin", RuleAction.Pass, [Gnp("admin.b", "admin")], [Gnp("admin.a", "admin")]),
                Tier("default", RuleAction.Deny, [Np("ns1", "aa"), Np("ns1", "zz")], []),
                Tier("ghost", RuleAction.Deny, [Gnp("ghost.x", "ghost")], [Gnp("ghost.x", "ghost")]))
            .Wep("ns1", Db1, "10.0.0.2/32", ["kns.ns1"], Tier("ghost", RuleAction.Deny, [Gnp("ghost.x", "ghost")], [Gnp("ghost.x", "ghost")]))
            .Wep("ns2", Db2, "10.0.0.3/32", ["kns.ns2"], Tier("ghost", RuleAction.Deny, [Gnp("ghost.x", "ghost")], [Gnp("ghost.x", "ghost")]))
            .Policy(Gnp("admin.b", "admin"), inbound: [new RuleModel { Action = RuleAction.Pass }])
            .Policy(Gnp("admin.a", "admin"), outbound: [new RuleModel { Action = RuleAction.Allow }])
            .Policy(Gnp("ghost.x", "ghost"))
            .Policy(Np("ns1", "zz"), inbound: [new RuleModel { Action = RuleAction.Deny }])
            .Policy(Np("ns1", "aa")));
        StateHarness.Run("node1", s_podsOnly, tiers);
    }

    [Fact]
    public void KubernetesPolicy_IpBlockExcept_ConvertedAndScoped()
    {
        var knp = CalcState.Of("knp", s_pods + """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-db, namespace: ns1}
            spec:
              podSelector: {matchLabels: {app: web}}
              ingress:
              - from:
                - ipBlock: {cidr: 172.16.0.0/16, except: [172.16.1.0/24]}
                - podSelector: {matchLabels: {app: db}}
                ports: [{protocol: TCP, port: 443}]
            """, e => Pods(e, [Tier("default", RuleAction.Deny, [Np("ns1", "knp.default.allow-db")], [])])
            .IpSet(Sel("(projectcalico.org/namespace == \"ns1\") && ((projectcalico.org/orchestrator == \"k8s\") && (app == \"db\"))"), "10.0.0.2/32")
            .Policy(Np("ns1", "knp.default.allow-db"), inbound:
            [
                new RuleModel { Action = RuleAction.Allow, Protocol = 6, SrcNets = ["172.16.0.0/16"], NotSrcNets = ["172.16.1.0/24"], DstPorts = [new(443, 443)] },
                new RuleModel { Action = RuleAction.Allow, Protocol = 6, SrcIpSetIds = [Sel("(projectcalico.org/namespace == \"ns1\") && ((projectcalico.org/orchestrator == \"k8s\") && (app == \"db\"))")], DstPorts = [new(443, 443)], Index = 1 },
            ]));
        StateHarness.Run("node1", s_podsOnly, knp);
    }

    [Fact]
    public void MissingProfile_EndpointGetsDenyAllStandIn()
    {
        var missing = CalcState.Of("missing", Yaml.Wep("ns1", "web1", "10.0.0.1/32", "app: web", profiles: "kns.ns1, nope"),
            e => e.Profile("kns.ns1", DenyAll).Profile("nope", DenyAll).Wep("ns1", Web1, "10.0.0.1/32", ["kns.ns1", "nope"]));
        var present = CalcState.Of("present", Yaml.Namespace("ns1") + Yaml.Wep("ns1", "web1", "10.0.0.1/32", "app: web", profiles: "kns.ns1, nope"),
            e => e.Profile("kns.ns1").Profile("nope", DenyAll).Wep("ns1", Web1, "10.0.0.1/32", ["kns.ns1", "nope"]));
        StateHarness.Run("node1", missing, present);
    }

    [Fact]
    public void DefaultAllowProfile_BuiltIn_AllowsBothWaysWithoutStoredResource()
    {
        var allowAll = new ProfileIntent([new RuleModel { Action = RuleAction.Allow }], [new RuleModel { Action = RuleAction.Allow }]);
        var builtIn = CalcState.Of("built-in", Yaml.Namespace("ns1") + Yaml.Wep("ns1", "web1", "10.0.0.1/32", "app: web", profiles: "kns.ns1, projectcalico-default-allow"),
            e => e.Profile("kns.ns1").Profile("projectcalico-default-allow", allowAll).Wep("ns1", Web1, "10.0.0.1/32", ["kns.ns1", "projectcalico-default-allow"]));
        StateHarness.Run("node1", builtIn);
    }

    [Fact]
    public void RemoteEndpoints_OnlyInIpSets()
    {
        var remote = CalcState.Of("remote", Yaml.Namespace("ns1") + Yaml.Wep("ns1", "db9", "10.0.9.9/32", "app: db", node: "node2")
            + Yaml.Wep("ns1", "web1", "10.0.0.1/32", "app: web") + """
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata: {name: p}
            spec: {selector: all(), ingress: [{action: Allow, source: {selector: app == 'db'}}]}
            """, e => e.Profile("kns.ns1")
            .Wep("ns1", Web1, "10.0.0.1/32", ["kns.ns1"], Tier("default", RuleAction.Deny, [Gnp("p")], []))
            .IpSet(Sel("app == \"db\""), "10.0.9.9/32")
            .Policy(Gnp("p"), inbound: [new RuleModel { Action = RuleAction.Allow, SrcIpSetIds = [Sel("app == \"db\"")] }]));
        StateHarness.Run("node1", remote);
    }

    [Fact]
    public void HostEndpoint_PolicyKinds_SplitIntoTierLists()
    {
        var hep = CalcState.Of("hep", """
            apiVersion: projectcalico.org/v3
            kind: HostEndpoint
            metadata: {name: node1-eth0, labels: {role: host}}
            spec: {node: node1, interfaceName: eth0, expectedIPs: [192.168.1.10, "fd00::10"]}
            ---
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata: {name: normal}
            spec: {selector: role == 'host', ingress: [{action: Allow}], egress: [{action: Allow}]}
            ---
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata: {name: fwd}
            spec: {order: 1, selector: role == 'host', applyOnForward: true, ingress: [{action: Allow}]}
            ---
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata: {name: pre}
            spec: {selector: role == 'host', preDNAT: true, applyOnForward: true, ingress: [{action: Deny}]}
            ---
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata: {name: raw}
            spec: {selector: role == 'host', doNotTrack: true, applyOnForward: true, ingress: [{action: Allow, source: {selector: role == 'host'}}]}
            """, e => e
            .IpSet(Sel("role == \"host\""), "192.168.1.10/32", "fd00::10/128")
            .Policy(Gnp("normal"), inbound: [new RuleModel { Action = RuleAction.Allow }], outbound: [new RuleModel { Action = RuleAction.Allow }])
            .Policy(Gnp("fwd"), inbound: [new RuleModel { Action = RuleAction.Allow }], forward: true)
            .Policy(Gnp("pre"), inbound: [new RuleModel { Action = RuleAction.Deny }], preDnat: true, forward: true)
            .Policy(Gnp("raw"), inbound: [new RuleModel { Action = RuleAction.Allow, SrcIpSetIds = [Sel("role == \"host\"")] }], untracked: true, forward: true)
            .Hep(new EndpointIntent(new EndpointKey(true, null, "node1-eth0"), "eth0", ["192.168.1.10/32"], ["fd00::10/128"],
                [Tier("default", RuleAction.Deny, [Gnp("fwd"), Gnp("normal")], [Gnp("normal")])], [])
            {
                ForwardTiers = [Tier("default", RuleAction.Deny, [Gnp("fwd")], [])],
                PreDnatTiers = [Tier("default", RuleAction.Pass, [Gnp("pre")], [])],
                UntrackedTiers = [Tier("default", RuleAction.Pass, [Gnp("raw")], [])],
            }));
        StateHarness.Run("node1", hep);
    }
}
