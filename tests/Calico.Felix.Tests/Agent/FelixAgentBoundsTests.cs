using System.Text;
using Calico.Api;
using Calico.Client;
using Calico.Datastore.Syncer;
using Calico.Felix.Agent;
using Calico.Felix.Rules;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.Felix.Tests.Agent;

/// <summary>
/// Data written straight into the datastore (etcdctl) bypasses calicoctl's validation. calico-node must survive
/// every such value: one it cannot decode or whose selector does not parse is dropped, the rest still applies.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class FelixAgentBoundsTests : AgentTestBase
{
    private static readonly string DeepSelector = new string('(', 100_000) + "pod == 'web'" + new string(')', 100_000);


    [Fact]
    public async Task Policies_with_100000_deep_selectors_fail_closed_and_the_agent_keeps_running()
    {
        var deepRule = Gnp("deep-rule", "all()");
        deepRule.Spec.Ingress = [new Rule { Action = "Allow", Source = new EntityRule { Selector = DeepSelector } }, new Rule { Action = "Deny" }];
        var deepNamespaceSelector = Gnp("deep-ns", "all()");
        deepNamespaceSelector.Spec.NamespaceSelector = DeepSelector;
        var deepServiceAccount = Gnp("deep-sa", "all()");
        deepServiceAccount.Spec.ServiceAccountSelector = DeepSelector;
        var deepNp = new NetworkPolicy { Metadata = { Name = "deep-np", Namespace = "ns1" } };
        deepNp.Spec.Selector = DeepSelector;
        var deepProfile = new Profile { Metadata = { Name = "deep-profile" } };
        deepProfile.Spec.Ingress = [new Rule { Action = "Allow", Destination = new EntityRule { NamespaceSelector = DeepSelector } }];

        Agent.OnUpdates([
            Put(Wep("web", "10.65.0.2/32")),
            Put(Gnp("good", "all()")),
            Put(Gnp("deep", DeepSelector)),
            Put(deepRule),
            Put(deepNamespaceSelector),
            Put(deepServiceAccount),
            Put(deepNp),
            Put(deepProfile),
            Raw(ResourceKinds.GlobalNetworkPolicy, null, "deep-json", Nested(100_000)),
            Raw(ResourceKinds.FelixConfiguration, null, "default", """{"spec":{"routeRefreshInterval":"99999999999h"}}"""),
            Raw(ResourceKinds.GlobalNetworkPolicy, null, "huge-order", """{"spec":{"order":1e400,"selector":"all()"}}"""),
        ]);
        Agent.OnStatusUpdated(SyncStatus.InSync);

        var applied = await NextApplyAsync(timeoutSeconds: 30);
        Assert.Single(applied.State.Endpoints);
        var names = applied.State.Policies.Keys.Select(k => k.Name).Order(StringComparer.Ordinal).ToArray();
        // A policy with a selector the graph cannot use (its own, its namespace or service-account selector, or one in
        // a rule), or a value that cannot be decoded, is never treated as deleted: with no last good version, a deny-all
        // stands in for it (CorruptValueFilter), so a Deny it held cannot turn into an opening.
        Assert.Equal(["deep", "deep-json", "deep-np", "deep-ns", "deep-rule", "deep-sa", "good", "huge-order"], names);
        foreach (var (key, policy) in applied.State.Policies)
        {
            if (key.Name != "good")
            {
                Assert.Equal(Calico.Felix.Calc.Model.RuleAction.Deny, Assert.Single(policy.InboundRules).Action);
            }
        }

        // Still alive: the next update is processed and applied.
        Agent.OnUpdates([Put(Wep("db", "10.65.0.3/32")), Delete(ResourceKinds.GlobalNetworkPolicy, null, "good")]);
        applied = await NextApplyAsync(timeoutSeconds: 30);
        Assert.Equal(2, applied.State.Endpoints.Count);
        Assert.DoesNotContain(applied.State.Policies.Keys, k => k.Name == "good");
        Assert.False(Running.IsCompleted);
    }

    private static string Nested(int depth)
    {
        var sb = new StringBuilder("{\"spec\":{\"selector\":\"all()\",\"future\":");
        for (var i = 0; i < depth; i++)
        {
            sb.Append("{\"a\":");
        }

        return sb.Append('1').Append('}', depth + 2).ToString();
    }

    private static GlobalNetworkPolicy Gnp(string name, string selector)
    {
        var gnp = new GlobalNetworkPolicy { Metadata = { Name = name } };
        gnp.Spec.Selector = selector;
        gnp.Spec.Ingress = [new Rule { Action = "Allow" }];
        return gnp;
    }

    private static WorkloadEndpoint Wep(string pod, string ip)
    {
        var wep = new WorkloadEndpoint { Metadata = { Name = "host1-k8s-" + pod + "-eth0", Namespace = "ns1", Labels = new() { ["pod"] = pod } } };
        wep.Spec.Node = "host1";
        wep.Spec.Orchestrator = "k8s";
        wep.Spec.Pod = pod;
        wep.Spec.Endpoint = "eth0";
        wep.Spec.InterfaceName = "cali" + pod.PadRight(11, '0')[..11];
        wep.Spec.IpNetworks = [ip];
        wep.Spec.Profiles = ["deep-profile"];
        return wep;
    }
}
