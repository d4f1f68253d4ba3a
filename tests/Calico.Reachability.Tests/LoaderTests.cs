using Calico.Api;

namespace Calico.Reachability.Tests;

/// <summary>Through the real calculation graph: stored resources in, the evaluator's answer out.</summary>
[Trait("Tier", "Unit")]
public sealed class LoaderTests
{
    private const string Resources = """
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
          labelsToApply: {pcns.kubernetes.io/metadata.name: x}
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
          name: host2-k8s-b-eth0
          namespace: x
          labels: {pod: b, projectcalico.org/namespace: x, projectcalico.org/orchestrator: k8s}
        spec: {orchestrator: k8s, node: host2, pod: b, endpoint: eth0, interfaceName: calib, ipNetworks: [10.0.0.2/32], profiles: [kns.x]}
        ---
        apiVersion: projectcalico.org/v3
        kind: GlobalNetworkPolicy
        metadata: {name: a-from-b-only}
        spec:
          tier: default
          order: 10
          selector: pod == 'a'
          types: [Ingress]
          ingress:
          - action: Allow
            protocol: TCP
            source: {selector: pod == 'b'}
            destination: {ports: [80]}
        """;

    [Theory]
    [InlineData("10.0.0.2", "10.0.0.1", 80, true)]
    [InlineData("10.0.0.2", "10.0.0.1", 81, false)]
    [InlineData("10.9.9.9", "10.0.0.1", 80, false)]
    [InlineData("10.0.0.1", "10.0.0.2", 81, true)]
    public void Load_GlobalPolicy_IsEnforcedThroughTheGraph(string src, string dst, int port, bool allowed)
    {
        var resources = ResourceCodec.Decode(Resources);
        foreach (var r in resources)
        {
            ResourceDefaults.Apply(r);
        }

        var evaluator = new PolicyEvaluator(DataplaneLoader.Load(resources));
        var verdict = evaluator.EvaluateFlow(Packet.Create(src, dst, Packet.Tcp, 40000, port));
        Assert.Equal(allowed, verdict.Allowed);
    }
}
