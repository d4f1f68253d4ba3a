using System.Text;
using Calico.Api;
using Calico.Client;
using Calico.Datastore.Syncer;
using Calico.Felix.Agent;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.Felix.Tests.Agent;

/// <summary>
/// A policy whose stored value cannot be read never becomes an opening: at the dataplane-intent level, the policy that
/// denied keeps denying, and a policy never read makes its tier deny; /readiness names the key until it is repaired.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class CorruptPolicyTests : AgentTestBase
{
    private static readonly byte[] Garbage = Encoding.UTF8.GetBytes("{\"kind\":\"GlobalNetworkPolicy\",\"spec\":{\"selector\":");

    [Fact]
    public async Task CorruptPolicy_WithLastGoodVersion_KeepsDenying()
    {
        Agent.OnUpdates([Put(Tier("default", 1_000_000)), Put(Wep("web")), Put(DenyWeb("deny-web"))]);
        Agent.OnStatusUpdated(SyncStatus.InSync);
        var before = await NextApplyAsync();
        var key = Assert.Single(before.State.Policies.Keys, k => k.Name == "deny-web");
        Assert.Equal(RuleAction.Deny, Assert.Single(before.State.Policies[key].InboundRules).Action);

        string storeKey = ResourceIdentity.Key(ResourceKinds.GlobalNetworkPolicy, null, "deny-web");
        Agent.OnUpdates([new SyncUpdate(SyncUpdateType.Updated, storeKey, Garbage, 7), Put(Wep("other"))]);
        var after = await NextApplyAsync();

        Assert.Equal(before.State.Policies[key], after.State.Policies[key]);
        Assert.Contains(key, WebTier(after, "default").IngressPolicies);
        var corrupt = Assert.Single(Telemetry.Corrupt);
        Assert.Equal((storeKey, CorruptHandling.LastGood), (corrupt.Key, corrupt.Handling));
    }

    [Fact]
    public async Task CorruptPolicy_WithoutLastGoodVersion_ItsTierDeniesAndReadinessNamesKey()
    {
        Agent.OnUpdates([Put(Tier("default", 1_000_000)), Put(Tier("sec", 100)), Put(Wep("web"))]);
        Agent.OnStatusUpdated(SyncStatus.InSync);
        var before = await NextApplyAsync();
        Assert.DoesNotContain(WebEndpoint(before).Tiers, t => t.Name == "sec"); // no policy: the tier is skipped

        string storeKey = ResourceIdentity.Key(ResourceKinds.GlobalNetworkPolicy, null, "sec.lost");
        Agent.OnUpdates([new SyncUpdate(SyncUpdateType.New, storeKey, Garbage, 8)]);
        var after = await NextApplyAsync();

        var tier = WebTier(after, "sec");
        var stand = tier.IngressPolicies[0];
        Assert.Equal("sec.lost", stand.Name);
        Assert.Equal(stand, tier.EgressPolicies[0]);
        Assert.Equal(RuleAction.Deny, Assert.Single(after.State.Policies[stand].InboundRules).Action);
        Assert.Equal(RuleAction.Deny, Assert.Single(after.State.Policies[stand].OutboundRules).Action);
        await ReadinessAsync(ready: false);
        Assert.Contains(storeKey, Telemetry.Readiness.Reason, StringComparison.Ordinal);
        Assert.Equal(CorruptHandling.DenyAll, Assert.Single(Telemetry.Corrupt).Handling);

        // Repair: the real policy replaces the stand-in and the node is ready again.
        Agent.OnUpdates([Put(DenyWeb("sec.lost", "sec"))]);
        var repaired = await NextApplyAsync();
        Assert.Equal(["sec.lost"], WebTier(repaired, "sec").IngressPolicies.Select(p => p.Name));
        await ReadinessAsync(ready: true);
        Assert.Empty(Telemetry.Corrupt);
    }

    [Fact]
    public async Task CorruptNamespacedPolicy_WithoutLastGoodVersion_DeniesItsNamespaceOnly()
    {
        var otherNs = Wep("elsewhere");
        otherNs.Metadata.Namespace = "ns2";
        Agent.OnUpdates([Put(Tier("default", 1_000_000)), Put(Wep("web")), Put(otherNs)]);
        Agent.OnStatusUpdated(SyncStatus.InSync);
        await NextApplyAsync();

        string storeKey = ResourceIdentity.Key(ResourceKinds.NetworkPolicy, "ns1", "lost");
        Agent.OnUpdates([new SyncUpdate(SyncUpdateType.New, storeKey, Garbage, 9)]);
        var after = await NextApplyAsync();

        Assert.Equal("lost", WebTier(after, "default").IngressPolicies[0].Name);
        var elsewhere = after.State.Endpoints.Single(e => e.Key.Namespace == "ns2").Value;
        Assert.DoesNotContain(elsewhere.Tiers, t => t.IngressPolicies.Any(p => p.Name == "lost"));
    }

    [Fact]
    public void Filter_CorruptNonPolicyWithoutLastGood_IsSkippedAndReported()
    {
        var filter = new CorruptValueFilter();
        string key = ResourceIdentity.Key(ResourceKinds.HostEndpoint, null, "h1");

        bool deliver = filter.Filter(ResourceKinds.HostEndpoint, null, "h1", key, Garbage, 3, out var value, out var error);

        Assert.False(deliver);
        Assert.Null(value);
        Assert.NotNull(error);
        Assert.Equal(CorruptHandling.Skipped, Assert.Single(filter.Corrupt).Handling);
        Assert.True(filter.TakeChanged());

        Assert.True(filter.Filter(ResourceKinds.HostEndpoint, null, "h1", key, null, 4, out _, out _));
        Assert.Empty(filter.Corrupt);
    }

    [Theory]
    [InlineData("sec.lost", "sec")]
    [InlineData("unknown.lost", "default")]
    [InlineData("lost", "default")]
    public void Filter_DenyAllStandIn_TierFromKnownNamePrefix(string name, string tier)
    {
        var filter = new CorruptValueFilter();
        filter.Filter(ResourceKinds.Tier, null, "sec", ResourceIdentity.Key(ResourceKinds.Tier, null, "sec"), ResourceCodec.ToStorageJson(Tier("sec", 100)).ToArray(), 2, out _, out _);
        string key = ResourceIdentity.Key(ResourceKinds.GlobalNetworkPolicy, null, name);

        Assert.True(filter.Filter(ResourceKinds.GlobalNetworkPolicy, null, name, key, Garbage, 3, out var value, out _));

        var gnp = Assert.IsType<GlobalNetworkPolicy>(value);
        Assert.Equal(tier, gnp.Spec.Tier);
        Assert.Equal("all()", gnp.Spec.Selector);
        Assert.Equal(CorruptValueFilter.DenyAllOrder, gnp.Spec.Order);
    }

    private static EndpointIntent WebEndpoint(DesiredDataplane applied) =>
        applied.State.Endpoints.Single(e => e.Key.Name.Contains("-web-", StringComparison.Ordinal)).Value;

    private static TierIntent WebTier(DesiredDataplane applied, string tier) => WebEndpoint(applied).Tiers.Single(t => t.Name == tier);

    /// <summary>The fake records an apply before the agent updates readiness: wait for the loop to get there.</summary>
    private async Task ReadinessAsync(bool ready)
    {
        for (int i = 0; i < 500 && Telemetry.Readiness.Ready != ready; i++)
        {
            await Task.Delay(10);
        }

        Assert.True(Telemetry.Readiness.Ready == ready, Telemetry.Readiness.Reason);
    }

    private static Tier Tier(string name, double order)
    {
        var tier = new Tier { Metadata = { Name = name } };
        tier.Spec.Order = order;
        tier.Spec.DefaultAction = "Deny";
        return tier;
    }

    private static GlobalNetworkPolicy DenyWeb(string name, string tier = "default")
    {
        var node = new System.Text.Json.Nodes.JsonObject
        {
            ["apiVersion"] = "projectcalico.org/v3",
            ["kind"] = "GlobalNetworkPolicy",
            ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = name },
            ["spec"] = new System.Text.Json.Nodes.JsonObject
            {
                ["tier"] = tier,
                ["order"] = 10,
                ["selector"] = "pod == 'web'",
                ["types"] = new System.Text.Json.Nodes.JsonArray("Ingress"),
                ["ingress"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["action"] = "Deny" }),
            },
        };
        return (GlobalNetworkPolicy)ResourceCodec.FromJsonNode(node);
    }

    private static WorkloadEndpoint Wep(string pod)
    {
        var wep = new WorkloadEndpoint { Metadata = { Name = "host1-k8s-" + pod + "-eth0", Namespace = "ns1", Labels = new() { ["pod"] = pod } } };
        wep.Spec.Node = "host1";
        wep.Spec.Orchestrator = "k8s";
        wep.Spec.Pod = pod;
        wep.Spec.Endpoint = "eth0";
        wep.Spec.InterfaceName = "cali" + pod.PadRight(11, '0')[..11];
        wep.Spec.IpNetworks = ["10.65.0." + (pod.Length + 1) + "/32"];
        wep.Spec.Profiles = ["kns.ns1"];
        return wep;
    }
}
