using Calico.Api;
using Calico.Datastore.Syncer;
using Calico.Felix.Agent;
using Calico.Felix.Rules;

namespace Calico.Felix.Tests.Agent;

/// <summary>
/// natOutgoingExclusions IPPoolsAndHostIPs: every node's BGP addresses (upstream's all-hosts set) reach the dataplane,
/// and follow Node changes while the exclusion is on.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class NatHostAddressesAgentTests : AgentTestBase
{
    private protected override RenderConfig RenderConfigFor(AgentInputs inputs) => new()
    {
        NatOutgoing = new NatOutgoingConfig { ExcludeHostAddresses = inputs.GlobalConfig?.Spec.NatOutgoingExclusions == "IPPoolsAndHostIPs" },
    };

    private static Api.Node Node(string name, string? v4, string? v6 = null) =>
        new() { Metadata = { Name = name }, Spec = { Bgp = new NodeBGPSpec { Ipv4Address = v4, Ipv6Address = v6 } } };

    private static FelixConfiguration Exclusions(string value) =>
        new() { Metadata = { Name = "default" }, Spec = { NatOutgoingExclusions = value } };

    [Fact]
    public async Task Every_nodes_addresses_reach_the_dataplane_and_follow_node_changes()
    {
        Agent.OnUpdates([
            Put(Exclusions("IPPoolsAndHostIPs")),
            Put(Node("host1", "192.168.0.11/24", "fd00:99::11/64")),
            Put(Node("host2", "192.168.0.12/24")),
            Put(new Api.Node { Metadata = { Name = "host3" } }),
        ]);
        Agent.OnStatusUpdated(SyncStatus.InSync);
        DesiredDataplane applied = await NextApplyAsync();
        Assert.Equal(["192.168.0.11/24", "192.168.0.12/24", "fd00:99::11/64"], applied.HostAddresses);

        Agent.OnUpdates([Put(Node("host2", "192.168.0.22/24"))]);
        applied = await NextApplyAsync();
        Assert.Equal(["192.168.0.11/24", "192.168.0.22/24", "fd00:99::11/64"], applied.HostAddresses);

        Agent.OnUpdates([Delete(ResourceKinds.Node, null, "host1")]);
        applied = await NextApplyAsync();
        Assert.Equal(["192.168.0.22/24"], applied.HostAddresses);
    }

    [Fact]
    public async Task Addresses_known_before_the_exclusion_is_turned_on_are_used_when_it_is()
    {
        Agent.OnUpdates([Put(Node("host2", "192.168.0.12/24"))]);
        Agent.OnStatusUpdated(SyncStatus.InSync);
        DesiredDataplane applied = await NextApplyAsync();
        Assert.False(applied.Render.NatOutgoing.ExcludeHostAddresses);

        Agent.OnUpdates([Put(Exclusions("IPPoolsAndHostIPs"))]);
        applied = await NextApplyAsync();
        Assert.True(applied.Render.NatOutgoing.ExcludeHostAddresses);
        Assert.Equal(["192.168.0.12/24"], applied.HostAddresses);
    }
}
