using Calico.Api;
using Calico.Felix.Agent;

namespace Calico.Felix.Tests.Agent;

/// <summary>Upstream's cluster counts: a host counts while any key names it; deletes and moves are followed.</summary>
[Trait("Tier", "Unit")]
public sealed class ClusterStatisticsTests
{
    private static WorkloadEndpoint Wep(string node) => new() { Metadata = new ObjectMeta { Name = "w", Namespace = "ns1" }, Spec = new WorkloadEndpointSpec { Node = node } };

    private static HostEndpoint Hep(string node) => new() { Metadata = new ObjectMeta { Name = "h" }, Spec = new HostEndpointSpec { Node = node } };

    [Fact]
    public void Hosts_endpoints_policies_tiers_and_profiles_are_counted_as_upstream()
    {
        var stats = new ClusterStatistics();
        stats.Track(ResourceKinds.Node, "n1", "/node/n1", new Api.Node { Metadata = new ObjectMeta { Name = "n1" } });
        stats.Track(ResourceKinds.WorkloadEndpoint, "w1", "/wep/w1", Wep("n1"));
        stats.Track(ResourceKinds.WorkloadEndpoint, "w2", "/wep/w2", Wep("n2"));
        stats.Track(ResourceKinds.HostEndpoint, "h1", "/hep/h1", Hep("n3"));
        stats.Track(ResourceKinds.NetworkPolicy, "p1", "/np/p1", new NetworkPolicy { Metadata = new ObjectMeta { Name = "p1", Namespace = "ns1" } });
        stats.Track(ResourceKinds.GlobalNetworkPolicy, "g1", "/gnp/g1", new GlobalNetworkPolicy { Metadata = new ObjectMeta { Name = "g1" } });
        stats.Track(ResourceKinds.Tier, "default", "/tier/default", new Tier { Metadata = new ObjectMeta { Name = "default" } });
        stats.Track(ResourceKinds.Profile, "kns.ns1", "/profile/kns.ns1", new Profile { Metadata = new ObjectMeta { Name = "kns.ns1" } });

        Assert.Equal(3, stats.Hosts);
        Assert.Equal(2, stats.WorkloadEndpoints);
        Assert.Equal(1, stats.HostEndpoints);
        Assert.Equal(2, stats.Policies);
        Assert.Equal(1, stats.Tiers);
        Assert.Equal(2, stats.Profiles); // kns.ns1 and the built-in projectcalico-default-allow

        // w2 moves to n1: n2 has no key left. The host endpoint goes: so does n3.
        stats.Track(ResourceKinds.WorkloadEndpoint, "w2", "/wep/w2", Wep("n1"));
        stats.Track(ResourceKinds.HostEndpoint, "h1", "/hep/h1", null);
        stats.Track(ResourceKinds.NetworkPolicy, "p1", "/np/p1", null);

        Assert.Equal(1, stats.Hosts);
        Assert.Equal(2, stats.WorkloadEndpoints);
        Assert.Equal(0, stats.HostEndpoints);
        Assert.Equal(1, stats.Policies);

        // The Node resource goes but its endpoints still name it: upstream still counts the host.
        stats.Track(ResourceKinds.Node, "n1", "/node/n1", null);
        Assert.Equal(1, stats.Hosts);
    }
}
