using Calico.Api;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Calc.Tests;

/// <summary>A workload endpoint's ipNATs reach the dataplane in its intent, for local endpoints only.</summary>
[Trait("Tier", "Unit")]
public sealed class FloatingIpCalcTests
{
    private const string Nats = "  ipNATs: [{internalIP: 10.65.0.5, externalIP: 203.0.113.7}, {internalIP: 'fd00:65::5', externalIP: '2001:db8:0:0::7'}]";

    private static void Put(CalculationGraph graph, string yaml)
    {
        foreach (var r in ResourceCodec.Decode(yaml))
        {
            ResourceDefaults.Apply(r);
            graph.OnUpdate(new ResourceUpdate(ResourceKinds.Of(r), r.Metadata.Namespace, r.Metadata.Name!, r));
        }
    }

    [Fact]
    public void LocalEndpoint_CarriesIpNatsInItsIntent_Canonical()
    {
        var graph = new CalculationGraph("node1");
        Put(graph, Yaml.Namespace("ns1") + Yaml.Wep("ns1", "web1", "10.65.0.5/32", extra: Nats));
        var state = new DataplaneState();
        state.Apply(graph.Flush());

        EndpointIntent endpoint = Assert.Single(state.Endpoints.Values);
        Assert.Equal([new FloatingIpIntent("10.65.0.5", "203.0.113.7"), new FloatingIpIntent("fd00:65::5", "2001:db8::7")], endpoint.FloatingIps);
    }

    [Fact]
    public void RemoteEndpoint_WithIpNats_GivesNoIntent()
    {
        var graph = new CalculationGraph("node1");
        Put(graph, Yaml.Namespace("ns1") + Yaml.Wep("ns1", "web1", "10.65.0.5/32", node: "node2", extra: Nats));
        var state = new DataplaneState();
        state.Apply(graph.Flush());

        Assert.Empty(state.Endpoints);
    }

    [Fact]
    public void IpNatsChange_SendsTheEndpointAgain_SameAgainSendsNothing()
    {
        var graph = new CalculationGraph("node1");
        Put(graph, Yaml.Namespace("ns1") + Yaml.Wep("ns1", "web1", "10.65.0.5/32"));
        var state = new DataplaneState();
        state.Apply(graph.Flush());
        Assert.Empty(Assert.Single(state.Endpoints.Values).FloatingIps);

        Put(graph, Yaml.Wep("ns1", "web1", "10.65.0.5/32", extra: "  ipNATs: [{internalIP: 10.65.0.5, externalIP: 203.0.113.7}]"));
        var updates = graph.Flush();
        var update = Assert.Single(updates.OfType<EndpointUpdate>());
        Assert.Equal([new FloatingIpIntent("10.65.0.5", "203.0.113.7")], update.Endpoint.FloatingIps);

        Put(graph, Yaml.Wep("ns1", "web1", "10.65.0.5/32", extra: "  ipNATs: [{internalIP: 10.65.0.5, externalIP: 203.0.113.7}]"));
        Assert.Empty(graph.Flush().OfType<EndpointUpdate>());

        Put(graph, Yaml.Wep("ns1", "web1", "10.65.0.5/32", extra: "  ipNATs: [{internalIP: 10.65.0.5, externalIP: 203.0.113.8}]"));
        Assert.Equal("203.0.113.8", Assert.Single(Assert.Single(graph.Flush().OfType<EndpointUpdate>()).Endpoint.FloatingIps).ExternalIp);
    }

    [Fact]
    public void MixedFamilyOrPrefixPairs_AreSkipped()
    {
        var graph = new CalculationGraph("node1");
        Put(graph, Yaml.Namespace("ns1") + Yaml.Wep("ns1", "web1", "10.65.0.5/32",
            extra: "  ipNATs: [{internalIP: 10.65.0.5, externalIP: '2001:db8::7'}, {internalIP: 10.65.0.5, externalIP: 203.0.113.0/24}, {internalIP: 10.65.0.5, externalIP: 203.0.113.9}]"));
        var state = new DataplaneState();
        state.Apply(graph.Flush());

        Assert.Equal([new FloatingIpIntent("10.65.0.5", "203.0.113.9")], Assert.Single(state.Endpoints.Values).FloatingIps);
    }
}
