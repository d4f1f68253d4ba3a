using Calico.Api;
using Calico.Felix.Calc.Model;
using static Calico.Felix.Calc.Tests.Expect;

namespace Calico.Felix.Calc.Tests;

/// <summary>
/// Staged policies through the graph: selected by their own selectors, sorted into their tiers, present only in the
/// tiers' pending lists and marked staged; every staged policy (Delete too) hides the enforced policy of its identity
/// from the pending lists, wherever that one applies.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class StagedPolicyCalcTests
{
    private const string Web1 = "node1-k8s-web1-eth0";
    private const string Db1 = "node1-k8s-db1-eth0";

    private static readonly string s_pods =
        Yaml.Namespace("ns1") + Yaml.Wep("ns1", "web1", "10.0.0.1/32", "app: web") + Yaml.Wep("ns1", "db1", "10.0.0.2/32", "app: db");

    private const string Enforced = """
        apiVersion: projectcalico.org/v3
        kind: NetworkPolicy
        metadata: {name: allow-web, namespace: ns1}
        spec: {order: 100, selector: app == 'web', types: [Ingress], ingress: [{action: Allow}]}
        ---
        apiVersion: projectcalico.org/v3
        kind: NetworkPolicy
        metadata: {name: keep, namespace: ns1}
        spec: {order: 200, selector: app == 'web', types: [Ingress], ingress: [{action: Allow}]}
        ---

        """;

    private const string Staged = """
        apiVersion: projectcalico.org/v3
        kind: StagedNetworkPolicy
        metadata: {name: deny-first, namespace: ns1}
        spec: {order: 10, selector: app == 'web', types: [Ingress], ingress: [{action: Deny}]}
        ---
        apiVersion: projectcalico.org/v3
        kind: StagedNetworkPolicy
        metadata: {name: allow-web, namespace: ns1}
        spec: {stagedAction: Delete}
        ---
        apiVersion: projectcalico.org/v3
        kind: StagedKubernetesNetworkPolicy
        metadata: {name: k8s, namespace: ns1}
        spec: {podSelector: {matchLabels: {app: db}}, policyTypes: [Ingress]}
        ---

        """;

    private static readonly PolicyKey s_allowWeb = Np("ns1", "allow-web");
    private static readonly PolicyKey s_keep = Np("ns1", "keep");
    private static readonly PolicyKey s_denyFirst = new("default", PolicyKinds.StagedNetworkPolicy, "ns1", "deny-first");
    private static readonly PolicyKey s_k8s = new("default", PolicyKinds.StagedKubernetesNetworkPolicy, "ns1", "k8s");

    private static Expect EnforcedOnly(Expect e) => e.Profile("kns.ns1")
        .Wep("ns1", Web1, "10.0.0.1/32", ["kns.ns1"], Tier("default", RuleAction.Deny, [s_allowWeb, s_keep], []))
        .Wep("ns1", Db1, "10.0.0.2/32", ["kns.ns1"])
        .Policy(s_allowWeb, inbound: [new RuleModel { Action = RuleAction.Allow }])
        .Policy(s_keep, inbound: [new RuleModel { Action = RuleAction.Allow }]);

    private static Expect WithStaged(Expect e)
    {
        EnforcedOnly(e)
            .Wep("ns1", Web1, "10.0.0.1/32", ["kns.ns1"], Tier("default", RuleAction.Deny, [s_allowWeb, s_keep], []) with
            {
                PendingIngressPolicies = [s_denyFirst, s_keep],
            })
            .Wep("ns1", Db1, "10.0.0.2/32", ["kns.ns1"], Tier("default", RuleAction.Deny, [], []) with { PendingIngressPolicies = [s_k8s] });
        e.State.Policies[s_denyFirst] = new PolicyIntent([new RuleModel { Action = RuleAction.Deny }], [])
        {
            Staged = new StagedPolicyInfo(StagedAction.Set, new PolicyIdentity("NetworkPolicy", "ns1", "deny-first")),
        };
        e.State.Policies[s_k8s] = new PolicyIntent([], [])
        {
            Staged = new StagedPolicyInfo(StagedAction.Set, new PolicyIdentity("NetworkPolicy", "ns1", KubernetesConversion.PolicyNamePrefix + "k8s")),
        };
        return e;
    }

    [Fact]
    public void StagedPolicies_ReachPendingListsOnly_InEveryStateSequence()
    {
        var pods = CalcState.Of("pods", s_pods, e => e.Profile("kns.ns1")
            .Wep("ns1", Web1, "10.0.0.1/32", ["kns.ns1"]).Wep("ns1", Db1, "10.0.0.2/32", ["kns.ns1"]));
        var enforced = CalcState.Of("enforced", s_pods + Enforced, EnforcedOnly);
        var staged = CalcState.Of("enforced+staged", s_pods + Enforced + Staged, WithStaged);
        StateHarness.Run("node1", pods, enforced, staged);
    }

    [Fact]
    public void StagedSet_WithSameNameAsEnforced_ReplacesItInPendingEvenWhereNotSelected()
    {
        // The staged version of allow-web selects db only: promoting it would take allow-web away from web1 too.
        var yaml = s_pods + Enforced + """
            apiVersion: projectcalico.org/v3
            kind: StagedNetworkPolicy
            metadata: {name: allow-web, namespace: ns1}
            spec: {order: 100, selector: app == 'db', types: [Ingress], ingress: [{action: Deny}]}
            """;
        var stagedKey = new PolicyKey("default", PolicyKinds.StagedNetworkPolicy, "ns1", "allow-web");
        var state = CalcState.Of("replace", yaml, e =>
        {
            EnforcedOnly(e)
                .Wep("ns1", Web1, "10.0.0.1/32", ["kns.ns1"], Tier("default", RuleAction.Deny, [s_allowWeb, s_keep], []) with { PendingIngressPolicies = [s_keep] })
                .Wep("ns1", Db1, "10.0.0.2/32", ["kns.ns1"], Tier("default", RuleAction.Deny, [], []) with { PendingIngressPolicies = [stagedKey] });
            e.State.Policies[stagedKey] = new PolicyIntent([new RuleModel { Action = RuleAction.Deny }], [])
            {
                Staged = new StagedPolicyInfo(StagedAction.Set, new PolicyIdentity("NetworkPolicy", "ns1", "allow-web")),
            };
            return e;
        });
        StateHarness.Run("node1", CalcState.Of("enforced", s_pods + Enforced, EnforcedOnly), state);
    }
}
