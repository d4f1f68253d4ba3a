using Calico.Api;
using Calico.Felix.Calc.Model;

namespace Calico.Reachability.Tests;

/// <summary>
/// The pending trace through the real graph: staged policies never change the enforced trace (which always agrees with
/// <see cref="PolicyEvaluator.Evaluate"/>), and the pending trace evaluates them in place of what they replace.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class StagedTraceTests
{
    // Pods a (10.0.0.1), b (10.0.0.2), c (10.0.0.3) in namespace x, whose profile allows everything.
    private const string Pods = """
        apiVersion: projectcalico.org/v3
        kind: Tier
        metadata: {name: default}
        spec: {order: 1000000, defaultAction: Deny}
        ---
        apiVersion: projectcalico.org/v3
        kind: Profile
        metadata: {name: kns.x}
        spec:
          ingress: [{action: Allow}]
          egress: [{action: Allow}]
        ---
        apiVersion: projectcalico.org/v3
        kind: WorkloadEndpoint
        metadata:
          name: host1-k8s-a-eth0
          namespace: x
          labels: {pod: a, projectcalico.org/namespace: x, projectcalico.org/orchestrator: k8s}
        spec: {orchestrator: k8s, node: host1, pod: a, endpoint: eth0, interfaceName: calia, ipNetworks: [10.0.0.1/32], profiles: [kns.x]}
        ---
        apiVersion: projectcalico.org/v3
        kind: WorkloadEndpoint
        metadata:
          name: host1-k8s-b-eth0
          namespace: x
          labels: {pod: b, projectcalico.org/namespace: x, projectcalico.org/orchestrator: k8s}
        spec: {orchestrator: k8s, node: host1, pod: b, endpoint: eth0, interfaceName: calib, ipNetworks: [10.0.0.2/32], profiles: [kns.x]}
        ---
        apiVersion: projectcalico.org/v3
        kind: WorkloadEndpoint
        metadata:
          name: host1-k8s-c-eth0
          namespace: x
          labels: {pod: c, projectcalico.org/namespace: x, projectcalico.org/orchestrator: k8s}
        spec: {orchestrator: k8s, node: host1, pod: c, endpoint: eth0, interfaceName: calic, ipNetworks: [10.0.0.3/32], profiles: [kns.x]}
        ---

        """;

    private const string AllowBToA = """
        apiVersion: projectcalico.org/v3
        kind: NetworkPolicy
        metadata: {name: allow-b, namespace: x}
        spec:
          order: 100
          selector: pod == 'a'
          types: [Ingress]
          ingress: [{action: Allow, source: {selector: pod == 'b'}}]
        ---

        """;

    private const string AllowCToA = """
        apiVersion: projectcalico.org/v3
        kind: NetworkPolicy
        metadata: {name: allow-c, namespace: x}
        spec:
          order: 200
          selector: pod == 'a'
          types: [Ingress]
          ingress: [{action: Allow, source: {selector: pod == 'c'}}]
        ---

        """;

    private static readonly Packet s_bToA = Packet.Create("10.0.0.2", "10.0.0.1", Packet.Tcp, 40000, 80);
    private static readonly Packet s_cToA = Packet.Create("10.0.0.3", "10.0.0.1", Packet.Tcp, 40000, 80);

    private static PolicyEvaluator Load(string yaml)
    {
        var resources = ResourceCodec.Decode(yaml);
        foreach (var r in resources)
        {
            ResourceDefaults.Apply(r);
        }

        return new PolicyEvaluator(DataplaneLoader.Load(resources));
    }

    /// <summary>Both sides in both modes; the enforced trace must give Evaluate's verdict.</summary>
    private static (FlowTrace Enforced, FlowTrace Pending) Trace(PolicyEvaluator evaluator, Packet packet)
    {
        var enforced = evaluator.TraceFlow(packet, TraceMode.Enforced);
        var pending = evaluator.TraceFlow(packet, TraceMode.Pending);
        var decision = evaluator.EvaluateFlow(packet);
        Assert.Equal(decision.Egress?.Verdict, enforced.Egress?.Verdict);
        Assert.Equal(decision.Ingress?.Verdict, enforced.Ingress?.Verdict);
        Assert.DoesNotContain(enforced.Ingress!.Hits, h => h.IsStaged || h.Trigger?.IsStaged == true);
        return (enforced, pending);
    }

    [Fact]
    public void StagedDeny_OfAnAllowedFlow_EnforcedAllowsPendingDeniesByTheStagedPolicy()
    {
        var evaluator = Load(Pods + AllowBToA + """
            apiVersion: projectcalico.org/v3
            kind: StagedNetworkPolicy
            metadata: {name: block-b, namespace: x}
            spec:
              order: 10
              selector: pod == 'a'
              types: [Ingress]
              ingress: [{action: Deny, source: {selector: pod == 'b'}}]
            """);
        var (enforced, pending) = Trace(evaluator, s_bToA);

        Assert.True(enforced.Allowed);
        Assert.Equal([new TraceHit(TraceKind.CalicoNetworkPolicy, "x", "allow-b", "default", TraceAction.Allow, 0, 0)], enforced.Ingress!.Hits);
        Assert.False(pending.Allowed);
        Assert.Equal([new TraceHit(TraceKind.StagedNetworkPolicy, "x", "block-b", "default", TraceAction.Deny, 0, 0)], pending.Ingress!.Hits);
        Assert.True(pending.Ingress.DecidedByStaged);

        // The egress side at b has no policy: profile allow in both modes.
        Assert.Equal(new TraceHit(TraceKind.Profile, null, "kns.x", PolicyEvaluator.ProfileTier, TraceAction.Allow, 0, 0), pending.Egress!.Decider);
        Assert.True(PolicyEvaluator.HasStagedPolicies(evaluator.State.Endpoints[pending.Ingress.Endpoint], TrafficDirection.Ingress));
        Assert.False(PolicyEvaluator.HasStagedPolicies(evaluator.State.Endpoints[pending.Ingress.Endpoint], TrafficDirection.Egress));
    }

    [Fact]
    public void StagedDelete_OfTheAllowingPolicy_PendingShowsEndOfTierDenyTriggeredByTheRemainingPolicy()
    {
        var evaluator = Load(Pods + AllowBToA + AllowCToA + """
            apiVersion: projectcalico.org/v3
            kind: StagedNetworkPolicy
            metadata: {name: allow-b, namespace: x}
            spec: {stagedAction: Delete}
            """);
        var (enforced, pending) = Trace(evaluator, s_bToA);

        Assert.True(enforced.Allowed);
        Assert.Equal("allow-b", enforced.Ingress!.Decider.Name);
        Assert.False(pending.Allowed);
        var end = Assert.Single(pending.Ingress!.Hits);
        Assert.Equal(TraceKind.EndOfTier, end.Kind);
        Assert.Equal(("default", TraceAction.Deny, -1), (end.Tier, end.Action, end.RuleIndex));
        Assert.Equal(new TraceHit(TraceKind.CalicoNetworkPolicy, "x", "allow-c", "default", TraceAction.Deny, -1, -1), end.Trigger);

        // c's flow does not depend on allow-b: allowed by allow-c in both views.
        var (e2, p2) = Trace(evaluator, s_cToA);
        Assert.Equal(e2.Ingress!.Hits, p2.Ingress!.Hits);
        Assert.Equal("allow-c", p2.Ingress.Decider.Name);
    }

    [Fact]
    public void StagedDelete_OfTheOnlyPolicy_TierNoLongerAppliesAndTheProfileDecides()
    {
        var evaluator = Load(Pods + AllowBToA + """
            apiVersion: projectcalico.org/v3
            kind: StagedNetworkPolicy
            metadata: {name: allow-b, namespace: x}
            spec: {stagedAction: Delete}
            """);
        var (enforced, pending) = Trace(evaluator, s_cToA);
        Assert.False(enforced.Allowed);
        Assert.Equal(TraceKind.EndOfTier, enforced.Ingress!.Decider.Kind);
        Assert.True(pending.Allowed);
        Assert.Equal(TraceKind.Profile, Assert.Single(pending.Ingress!.Hits).Kind);
    }

    [Fact]
    public void StagedSet_WithTheSameName_ReplacesTheEnforcedPolicyInThePendingTrace()
    {
        var evaluator = Load(Pods + AllowBToA + AllowCToA + """
            apiVersion: projectcalico.org/v3
            kind: StagedNetworkPolicy
            metadata: {name: allow-b, namespace: x}
            spec:
              order: 100
              selector: pod == 'a'
              types: [Ingress]
              ingress: [{action: Allow, source: {selector: pod == 'b'}, destination: {ports: [443]}}]
            """);
        var (enforced, pending) = Trace(evaluator, s_bToA);
        Assert.Equal([new TraceHit(TraceKind.CalicoNetworkPolicy, "x", "allow-b", "default", TraceAction.Allow, 0, 0)], enforced.Ingress!.Hits);

        // Port 80 no longer allowed by the staged allow-b; the enforced allow-b is gone; allow-c matches nothing.
        var end = Assert.Single(pending.Ingress!.Hits);
        Assert.Equal(TraceKind.EndOfTier, end.Kind);
        Assert.Equal(new TraceHit(TraceKind.StagedNetworkPolicy, "x", "allow-b", "default", TraceAction.Deny, -1, -1), end.Trigger);
        Assert.True(pending.Ingress.DecidedByStaged);

        var https = Packet.Create("10.0.0.2", "10.0.0.1", Packet.Tcp, 40000, 443);
        Assert.Equal(
            new TraceHit(TraceKind.StagedNetworkPolicy, "x", "allow-b", "default", TraceAction.Allow, 0, 0),
            evaluator.TraceFlow(https, TraceMode.Pending).Ingress!.Decider);
    }

    [Fact]
    public void StagedKubernetesPolicy_ReplacesTheConvertedKubernetesPolicy_AndIsNamedAsTheOperatorKnowsIt()
    {
        // The enforced Kubernetes policy "web" as kube-controllers stores it, and its staged replacement (no ingress = deny all).
        var evaluator = Load(Pods + """
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicy
            metadata: {name: knp.default.web, namespace: x}
            spec:
              order: 1000
              selector: projectcalico.org/orchestrator == 'k8s' && pod == 'a'
              types: [Ingress]
              ingress: [{action: Allow}]
            ---
            apiVersion: projectcalico.org/v3
            kind: StagedKubernetesNetworkPolicy
            metadata: {name: web, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Ingress]
            """);
        var (enforced, pending) = Trace(evaluator, s_bToA);
        Assert.Equal([new TraceHit(TraceKind.KubernetesNetworkPolicy, "x", "web", "default", TraceAction.Allow, 0, 0)], enforced.Ingress!.Hits);
        var end = Assert.Single(pending.Ingress!.Hits);
        Assert.Equal(new TraceHit(TraceKind.EndOfTier, null, "default", "default", TraceAction.Deny, 0, -1)
        {
            Trigger = new TraceHit(TraceKind.StagedKubernetesNetworkPolicy, "x", "web", "default", TraceAction.Deny, -1, -1),
        }, end);
    }

    [Fact]
    public void StagedGlobalPolicy_InAPassTier_DecidesBeforeTheEnforcedTiers()
    {
        var evaluator = Load(Pods + AllowBToA + """
            apiVersion: projectcalico.org/v3
            kind: Tier
            metadata: {name: security}
            spec: {order: 10, defaultAction: Pass}
            ---
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata: {name: security.pass}
            spec: {tier: security, order: 100, selector: pod == 'a', types: [Ingress], ingress: [{action: Pass}]}
            ---
            apiVersion: projectcalico.org/v3
            kind: StagedGlobalNetworkPolicy
            metadata: {name: security.block-b}
            spec:
              tier: security
              order: 1
              selector: pod == 'a'
              types: [Ingress]
              ingress: [{action: Log}, {action: Deny, source: {selector: pod == 'b'}}]
            """);
        var (enforced, pending) = Trace(evaluator, s_bToA);
        Assert.Equal(
            [
                new TraceHit(TraceKind.GlobalNetworkPolicy, null, "security.pass", "security", TraceAction.Pass, 0, 0),
                new TraceHit(TraceKind.CalicoNetworkPolicy, "x", "allow-b", "default", TraceAction.Allow, 1, 0),
            ],
            enforced.Ingress!.Hits);
        Assert.Equal([new TraceHit(TraceKind.StagedGlobalNetworkPolicy, null, "security.block-b", "security", TraceAction.Deny, 0, 1)], pending.Ingress!.Hits);

        // c is not blocked: the staged policy matches nothing, the enforced pass goes on to allow... which c lacks: end of tier.
        var (e2, p2) = Trace(evaluator, s_cToA);
        Assert.Equal(e2.Ingress!.Hits, p2.Ingress!.Hits);
        Assert.Equal(TraceAction.Pass, p2.Ingress.Hits[0].Action);
        Assert.Equal(TraceKind.EndOfTier, p2.Ingress.Decider.Kind);
        Assert.Equal("allow-b", p2.Ingress.Decider.Trigger!.Name);
    }

    [Fact]
    public void StagedOnlyTier_EnforcedSkipsIt_PendingEndsItWithTheStagedTrigger()
    {
        var evaluator = Load(Pods + """
            apiVersion: projectcalico.org/v3
            kind: Tier
            metadata: {name: staging}
            spec: {order: 10, defaultAction: Deny}
            ---
            apiVersion: projectcalico.org/v3
            kind: StagedGlobalNetworkPolicy
            metadata: {name: staging.only-c}
            spec: {tier: staging, selector: pod == 'a', types: [Ingress], ingress: [{action: Allow, source: {selector: pod == 'c'}}]}
            """);
        var (enforced, pending) = Trace(evaluator, s_bToA);
        Assert.Equal(TraceKind.Profile, Assert.Single(enforced.Ingress!.Hits).Kind);
        Assert.True(enforced.Allowed);
        var end = Assert.Single(pending.Ingress!.Hits);
        Assert.Equal((TraceKind.EndOfTier, "staging", TraceAction.Deny), (end.Kind, end.Tier, end.Action));
        Assert.Equal(TraceKind.StagedGlobalNetworkPolicy, end.Trigger!.Kind);
        Assert.True(Trace(evaluator, s_cToA).Pending.Allowed);
    }

    [Fact]
    public void NoStagedPolicy_PendingEqualsEnforced_AndEnforcedAgreesWithEvaluate()
    {
        var evaluator = Load(Pods + AllowBToA + AllowCToA);
        foreach (var p in new[] { s_bToA, s_cToA, Packet.Create("10.0.0.1", "10.0.0.2", Packet.Udp, 1, 53), Packet.Create("10.9.9.9", "10.0.0.1", Packet.Tcp, 1, 22) })
        {
            var enforced = evaluator.TraceFlow(p, TraceMode.Enforced);
            var pending = evaluator.TraceFlow(p, TraceMode.Pending);
            var decision = evaluator.EvaluateFlow(p);
            Assert.Equal(decision.Allowed, enforced.Allowed);
            Assert.Equal(enforced.Ingress?.Hits, pending.Ingress?.Hits);
            Assert.Equal(enforced.Egress?.Hits, pending.Egress?.Hits);
        }
    }
}
