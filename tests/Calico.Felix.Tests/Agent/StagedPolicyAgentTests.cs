using Calico.Api;
using Calico.Client;
using Calico.Datastore.Syncer;
using Calico.Felix.Agent;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;

namespace Calico.Felix.Tests.Agent;

/// <summary>The agent reads the staged kinds: they reach the dataplane state's pending lists and never the ruleset.</summary>
[Trait("Tier", "Unit")]
public sealed class StagedPolicyAgentTests : AgentTestBase
{
    private const string Yaml = """
        apiVersion: projectcalico.org/v3
        kind: WorkloadEndpoint
        metadata:
          name: host1-k8s-web-eth0
          namespace: ns1
          labels: {pod: web}
        spec: {orchestrator: k8s, node: host1, pod: web, endpoint: eth0, interfaceName: caliweb, ipNetworks: [10.65.0.2/32], profiles: [kns.ns1]}
        ---
        apiVersion: projectcalico.org/v3
        kind: StagedNetworkPolicy
        metadata: {name: deny-staged, namespace: ns1}
        spec: {selector: pod == 'web', types: [Ingress], ingress: [{action: Deny}]}
        ---
        apiVersion: projectcalico.org/v3
        kind: StagedGlobalNetworkPolicy
        metadata: {name: deny-global-staged}
        spec: {selector: pod == 'web', types: [Egress], egress: [{action: Deny}]}
        """;

    [Fact]
    public async Task Staged_policies_reach_the_pending_lists_and_are_not_rendered()
    {
        foreach (var kind in new[] { ResourceKinds.StagedNetworkPolicy, ResourceKinds.StagedGlobalNetworkPolicy, ResourceKinds.StagedKubernetesNetworkPolicy })
        {
            Assert.Contains(ResourceIdentity.Prefix(kind, null), FelixAgent.WatchedPrefixes);
        }

        var updates = new List<SyncUpdate>();
        foreach (var resource in ResourceCodec.Decode(Yaml))
        {
            ResourceDefaults.Apply(resource);
            updates.Add(Put(resource));
        }

        Agent.OnUpdates(updates);
        Agent.OnStatusUpdated(SyncStatus.InSync);
        var applied = await NextApplyAsync();

        Assert.Equal(2, applied.State.Policies.Count(p => p.Value.Staged is not null));
        var tier = Assert.Single(Assert.Single(applied.State.Endpoints).Value.Tiers);
        Assert.Empty(tier.IngressPolicies);
        Assert.Empty(tier.EgressPolicies);
        Assert.Equal([new PolicyKey("default", PolicyKinds.StagedNetworkPolicy, "ns1", "deny-staged")], tier.PendingIngressPolicies);
        Assert.Equal([new PolicyKey("default", PolicyKinds.StagedGlobalNetworkPolicy, null, "deny-global-staged")], tier.PendingEgressPolicies);

        string ruleset = NftablesRenderer.Render(applied.State, new RenderConfig());
        Assert.Contains("caliweb", ruleset, StringComparison.Ordinal);
        Assert.DoesNotContain("staged", ruleset, StringComparison.Ordinal);
    }
}
