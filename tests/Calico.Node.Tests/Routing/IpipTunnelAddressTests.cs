using System.Net;
using Calico.Api;
using Calico.Client;
using Calico.Datastore.Embedded;
using Calico.Ipam;
using Calico.Node.Routing;
using Calico.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.Node.Tests.Routing;

/// <summary>Unit tests (embedded datastore in a file): the IP-in-IP tunnel address, handle and attributes as upstream's allocateip.</summary>
[Trait("Tier", "Unit")]
public sealed class IpipTunnelAddressTests
{
    [Fact]
    public async Task EnsureIpip_PoolAppearsThenGoes_AddressAllocatedWithUpstreamsHandleAndAttributes_ThenReleasedAndCleared()
    {
        using var dir = new TempDirectory("ipip-tunnel");
        await using var store = new EmbeddedKeyValueStore(dir.File("calico.db"));
        var client = new ResourceClient(store, TimeProvider.System);
        await client.EnsureInitializedAsync(CancellationToken.None);
        var ipam = new IpamClient(store, TimeProvider.System);
        var tunnels = new TunnelAddressAllocator(client, ipam, NullLogger.Instance);
        IPPool pool = IpipPlannerTests.Pool("ipip", "10.70.0.0/16", "CrossSubnet");
        await CreateAsync(client, IpipPlannerTests.Node("host1", "192.0.2.1/24"));
        await CreateAsync(client, pool);

        Assert.True(await tunnels.EnsureIpipAsync(await StateAsync(client), CancellationToken.None));
        Assert.False(await tunnels.EnsureIpipAsync(await StateAsync(client), CancellationToken.None)); // converged

        Api.Node node = await NodeAsync(client);
        Assert.True(IPAddress.TryParse(node.Spec.Bgp!.Ipv4IPIPTunnelAddr, out IPAddress? address));
        Assert.True(IPNetwork.Parse("10.70.0.0/16").Contains(address));
        AllocationInfo allocation = (await ipam.GetAllocationAsync(address, CancellationToken.None))!;
        Assert.Equal("ipip-tunnel-addr-host1", allocation.HandleId);
        Assert.Equal(new Dictionary<string, string> { ["node"] = "host1", ["type"] = "ipipTunnelAddress" }, allocation.Attributes);

        Assert.True((await client.DeleteAsync(ResourceKinds.IPPool, null, "ipip", null, CancellationToken.None)).Succeeded);
        Assert.True(await tunnels.EnsureIpipAsync(await StateAsync(client), CancellationToken.None));

        node = await NodeAsync(client);
        Assert.Null(node.Spec.Bgp!.Ipv4IPIPTunnelAddr);
        Assert.Equal("192.0.2.1/24", node.Spec.Bgp.Ipv4Address);
        Assert.Empty(await ipam.IpsByHandleAsync("ipip-tunnel-addr-host1", CancellationToken.None));
    }

    private static async Task<RoutingState> StateAsync(ResourceClient client)
    {
        var pools = (await client.ListAsync(ResourceKinds.IPPool, null, CancellationToken.None)).Items.Cast<IPPool>().ToList();
        return new RoutingState("host1", [await NodeAsync(client)], null, [], [], pools, new Dictionary<string, string>());
    }

    private static async Task<Api.Node> NodeAsync(ResourceClient client) =>
        (Api.Node)(await client.GetAsync(ResourceKinds.Node, null, "host1", CancellationToken.None))!;

    private static async Task CreateAsync(ResourceClient client, Resource resource)
    {
        OperationResult result = await client.CreateAsync(resource, CancellationToken.None);
        Assert.True(result.Succeeded, result.ToString());
    }
}
