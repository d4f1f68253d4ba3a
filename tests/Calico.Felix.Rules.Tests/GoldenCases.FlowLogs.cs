using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules.Tests;

internal static partial class GoldenCases
{
    /// <summary>A Kubernetes NetworkPolicy as the dataplane keys it (the graph names it knp.default.&lt;name&gt;).</summary>
    public static PolicyKey KubernetesDbPolicy { get; } = new("default", "NetworkPolicy", "prod", "knp.default.db-ingress");

    /// <summary>
    /// <see cref="TiersAndRules"/> (a Pass-default tier, a Deny-default tier, a profile, a missing profile, a Log rule)
    /// plus a Kubernetes NetworkPolicy on one more workload: the flow-logs case.
    /// </summary>
    public static DataplaneState FlowLogs()
    {
        DataplaneState state = TiersAndRules();
        state.Apply(new ActivePolicyUpdate(KubernetesDbPolicy, new PolicyIntent(
            [new RuleModel { Action = RuleAction.Allow, Protocol = 6, DstPorts = [new PortRange(5432, 5432)] }],
            [])));
        var admin = new TierIntent("admin", RuleAction.Pass, [], [AdminPolicy]);
        var dflt = new TierIntent("default", RuleAction.Deny, [KubernetesDbPolicy], []);
        state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(false, "prod", "node1-k8s-db2-eth0"), "calidb2", ["10.0.0.4/32"], [], [admin, dflt], ["kns.prod"])));
        return state;
    }
}
