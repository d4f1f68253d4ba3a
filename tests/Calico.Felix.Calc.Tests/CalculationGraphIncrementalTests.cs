using Calico.Api;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Calc.Tests;

[Trait("Tier", "Unit")]
public sealed class CalculationGraphIncrementalTests
{
    private static void Put(CalculationGraph graph, string yaml)
    {
        foreach (var r in ResourceCodec.Decode(yaml))
        {
            ResourceDefaults.Apply(r);
            graph.OnUpdate(new ResourceUpdate(ResourceKinds.Of(r), r.Metadata.Namespace, r.Metadata.Name!, r));
        }
    }

    private static CalculationGraph WithManySelectors(int count)
    {
        var graph = new CalculationGraph("node1");
        var yaml = Yaml.Namespace("ns1") + Yaml.Wep("ns1", "web1", "10.0.0.1/32", "app: web");
        for (var i = 0; i < count; i++)
        {
            yaml += $$$"""
                apiVersion: projectcalico.org/v3
                kind: GlobalNetworkPolicy
                metadata: {name: p{{{i}}}}
                spec: {selector: app == 'web', ingress: [{action: Allow, source: {selector: svc == 's{{{i}}}'}}]}
                ---

                """;
        }

        Put(graph, yaml);
        return graph;
    }

    [Fact]
    public void LabelChange_OnePodManySelectors_EvaluatesOnlyAffectedSelectors()
    {
        var graph = WithManySelectors(200);
        var state = new DataplaneState();
        state.Apply(graph.Flush());

        var before = graph.SelectorEvaluations;
        Put(graph, Yaml.Wep("ns1", "db1", "10.0.0.2/32", "svc: s7"));
        var updates = graph.Flush();
        var evaluations = graph.SelectorEvaluations - before;

        // The new pod can only match the selector indexed under svc=s7 (rule set) and none of the policy
        // selectors indexed under app=web; a scan would cost 400 evaluations.
        Assert.InRange(evaluations, 1, 3);
        state.Apply(updates);
        Assert.Contains("10.0.0.2/32", state.IpSets[Calico.Selectors.Selector.Parse("svc == 's7'").UniqueId].Members);
        var delta = Assert.Single(updates.OfType<IpSetDeltaUpdate>());
        Assert.Equal(["10.0.0.2/32"], delta.Added);
    }

    [Fact]
    public void ProfileLabelChange_SendsDeltaAndNothingForNoOp()
    {
        var graph = new CalculationGraph("node1");
        Put(graph, Yaml.Namespace("ns1", "pcns.team: a") + Yaml.Wep("ns1", "web1", "10.0.0.1/32", "app: web") + """
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata: {name: p}
            spec: {selector: all(), ingress: [{action: Allow, source: {namespaceSelector: team == 'a'}}]}
            """);
        var state = new DataplaneState();
        state.Apply(graph.Flush());
        var id = Calico.Selectors.Selector.Parse("pcns.team == 'a'").UniqueId;
        Assert.Equal(["10.0.0.1/32"], state.IpSets[id].Members);

        Put(graph, Yaml.Namespace("ns1", "pcns.team: b"));
        var updates = graph.Flush();
        var delta = Assert.Single(updates.OfType<IpSetDeltaUpdate>());
        Assert.Equal(["10.0.0.1/32"], delta.Removed);
        Assert.Empty(updates.OfType<ActivePolicyUpdate>());

        // Same content again: nothing at all.
        Put(graph, Yaml.Namespace("ns1", "pcns.team: b") + Yaml.Wep("ns1", "web1", "10.0.0.1/32", "app: web"));
        Assert.Empty(graph.Flush());
    }

    [Fact]
    public void SharedMember_TwoSources_StaysUntilBothGo()
    {
        var graph = new CalculationGraph(null);
        Put(graph, """
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkSet
            metadata: {name: a, labels: {k: v}}
            spec: {nets: [192.0.2.0/24]}
            ---
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkSet
            metadata: {name: b, labels: {k: v}}
            spec: {nets: [192.0.2.0/24]}
            ---
            apiVersion: projectcalico.org/v3
            kind: HostEndpoint
            metadata: {name: h, labels: {k: v}}
            spec: {node: n, interfaceName: eth0, expectedIPs: [192.168.0.1]}
            ---
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata: {name: p}
            spec: {selector: all(), ingress: [{action: Allow, source: {selector: k == 'v'}}]}
            """);
        var state = new DataplaneState();
        state.Apply(graph.Flush());
        var id = Calico.Selectors.Selector.Parse("k == 'v'").UniqueId;
        graph.OnUpdate(new ResourceUpdate(ResourceKinds.GlobalNetworkSet, null, "a", null));
        state.Apply(graph.Flush());
        Assert.Contains("192.0.2.0/24", state.IpSets[id].Members);
        graph.OnUpdate(new ResourceUpdate(ResourceKinds.GlobalNetworkSet, null, "b", null));
        state.Apply(graph.Flush());
        Assert.Equal(["192.168.0.1/32"], state.IpSets[id].Members);
    }

    [Fact]
    public void OtherKinds_AreIgnored()
    {
        var graph = new CalculationGraph("node1");
        Put(graph, """
            apiVersion: projectcalico.org/v3
            kind: IPPool
            metadata: {name: pool}
            spec: {cidr: 10.0.0.0/16}
            """);
        Assert.Empty(graph.Flush());
    }

    [Fact]
    public void InSync_IsSentAfterTheSnapshot()
    {
        var graph = new CalculationGraph("node1");
        Put(graph, Yaml.Namespace("ns1") + Yaml.Wep("ns1", "web1", "10.0.0.1/32"));
        graph.OnInSync();
        var updates = graph.Flush();
        Assert.IsType<InSyncUpdate>(updates[^1]);
        Assert.IsType<ActiveProfileUpdate>(updates[0]);
        Assert.IsType<EndpointUpdate>(updates[1]);
    }

    [Fact]
    public void AllowSpoofedSourcePrefixes_CarriedNormalisedToTheIntent_ChangeResendsSameDoesNot()
    {
        var graph = new CalculationGraph("node1");
        const string Prefixes = "  allowSpoofedSourcePrefixes: [192.168.1.7/16, 'fd00:99::/64', 192.168.0.0/16, not-a-cidr]";
        Put(graph, Yaml.Namespace("ns1") + Yaml.Wep("ns1", "router", "10.0.0.1/32", extra: Prefixes));
        var first = Assert.Single(graph.Flush().OfType<EndpointUpdate>());
        Assert.Equal(["192.168.0.0/16", "fd00:99::/64"], first.Endpoint.AllowSpoofedSourcePrefixes);

        Put(graph, Yaml.Namespace("ns1") + Yaml.Wep("ns1", "router", "10.0.0.1/32", extra: Prefixes));
        Assert.Empty(graph.Flush().OfType<EndpointUpdate>());

        Put(graph, Yaml.Wep("ns1", "router", "10.0.0.1/32"));
        var second = Assert.Single(graph.Flush().OfType<EndpointUpdate>());
        Assert.Empty(second.Endpoint.AllowSpoofedSourcePrefixes);
    }
}
