using Calico.Api;
using Calico.KubeControllers.Config;
using Calico.KubeControllers.Controllers;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.KubeControllers.Tests;

[Trait("Tier", "Unit")]
public sealed class AutoHostEndpointControllerTests : IAsyncLifetime
{
    private readonly IpamWorld _world = new();
    private AutoHostEndpointController _controller = null!;

    public async Task InitializeAsync()
    {
        await _world.AddNodeAsync("node1", new Dictionary<string, string> { ["rack"] = "r1" }, "192.0.2.11/24");
        _controller = new AutoHostEndpointController(_world.Client, NullLogger.Instance);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    private async Task<Dictionary<string, HostEndpoint>> HostEndpointsAsync() =>
        (await _world.Client.ListAsync(ResourceKinds.HostEndpoint, null, IpamWorld.Ct)).Items.Cast<HostEndpoint>().ToDictionary(h => h.Metadata.Name!);

    [Fact]
    public async Task Enabled_CreatesUpstreamsAutoHep_DeletedWithItsNode()
    {
        var manual = new HostEndpoint { Spec = new HostEndpointSpec { Node = "node1", InterfaceName = "eth9" } };
        manual.Metadata.Name = "manual";
        Assert.True((await _world.Client.CreateAsync(manual, IpamWorld.Ct)).Succeeded);

        await _controller.SyncAsync(new NodeControllerConfigRun { AutoCreateHostEndpoints = true }, IpamWorld.Ct);
        var heps = await HostEndpointsAsync();
        var auto = heps["node1-auto-hep"];
        Assert.Equal("*", auto.Spec.InterfaceName);
        Assert.Equal("node1", auto.Spec.Node);
        Assert.Equal(["192.0.2.11"], auto.Spec.ExpectedIPs);
        Assert.Equal(["projectcalico-default-allow"], auto.Spec.Profiles);
        Assert.Equal("r1", auto.Metadata.Labels!["rack"]);
        Assert.Equal("calico-kube-controllers", auto.Metadata.Labels!["projectcalico.org/created-by"]);

        // A second sync changes nothing; a node label change is carried over.
        Assert.Equal((0, 0, 0), await _controller.SyncAsync(new NodeControllerConfigRun { AutoCreateHostEndpoints = true }, IpamWorld.Ct));

        await _world.DeleteNodeAsync("node1");
        await _controller.SyncAsync(new NodeControllerConfigRun { AutoCreateHostEndpoints = true }, IpamWorld.Ct);
        heps = await HostEndpointsAsync();
        Assert.False(heps.ContainsKey("node1-auto-hep"));
        Assert.True(heps.ContainsKey("manual"), "a host endpoint the controller did not make was deleted");
    }

    [Fact]
    public async Task Disabled_DeletesWhatItMade()
    {
        await _controller.SyncAsync(new NodeControllerConfigRun { AutoCreateHostEndpoints = true }, IpamWorld.Ct);
        Assert.Contains("node1-auto-hep", (await HostEndpointsAsync()).Keys);
        await _controller.SyncAsync(new NodeControllerConfigRun { AutoCreateHostEndpoints = false }, IpamWorld.Ct);
        Assert.Empty(await HostEndpointsAsync());
    }

    [Fact]
    public async Task Template_MatchingNodeAndCidr_CreatesNamedEndpoint()
    {
        var config = new NodeControllerConfigRun
        {
            AutoCreateHostEndpoints = true,
            CreateDefaultHostEndpoint = false,
            Templates = [new Template { GenerateName = "fabric", NodeSelector = "rack == 'r1'", InterfaceCIDRs = ["192.0.2.0/24"], Labels = new() { ["role"] = "fabric" } }],
        };
        await _controller.SyncAsync(config, IpamWorld.Ct);
        var heps = await HostEndpointsAsync();
        var hep = Assert.Single(heps).Value;
        Assert.Equal("node1-fabric-auto-hep", hep.Metadata.Name);
        Assert.Null(hep.Spec.InterfaceName);
        Assert.Equal(["192.0.2.11"], hep.Spec.ExpectedIPs);
        Assert.Equal("fabric", hep.Metadata.Labels!["role"]);
    }
}
