using Calico.Api;
using Calico.Bird;
using Calico.Bird.Control;

namespace Calico.Node.Tests.Kernel;

/// <summary>
/// calico-node's start-up as upstream's, on a real node: default pools from the variables, AS on the Node, the
/// router id in BIRD's configuration and in BIRD itself, and the probe flags answering from the running node.
/// </summary>
[Trait("Tier", "Root")]
public sealed class StartupKernelTests(StartupNodeFixture node) : IClassFixture<StartupNodeFixture>
{
    [Fact]
    public async Task Start_EmptyDatastore_DefaultPoolsFromVariables_AsOnNode_HashedRouterIdInBirdCfg()
    {
        var pools = (await node.Client.ListAsync(ResourceKinds.IPPool, null, CancellationToken.None)).Item1.OfType<IPPool>()
            .ToDictionary(p => p.Metadata.Name!, p => p.Spec);
        var self = (Api.Node?)await node.Client.GetAsync(ResourceKinds.Node, null, "host1", CancellationToken.None);
        string birdCfg = await File.ReadAllTextAsync(node.Dir.File("bird.cfg"));

        Assert.Equal(["default-ipv4-ippool", "default-ipv6-ippool"], pools.Keys.Order(StringComparer.Ordinal));
        IPPoolSpec v4 = pools["default-ipv4-ippool"];
        // 192.168.5.1 is this host's: upstream's pool selector moves to the first free 172.16-31.0.0/16.
        Assert.Equal(("172.16.0.0/16", 28, "CrossSubnet", "Never", false, "!has(edge)", true), (v4.Cidr, v4.BlockSize, v4.VxlanMode, v4.IpipMode, v4.NatOutgoing == true, v4.NodeSelector, v4.DisableBGPExport == true));
        IPPoolSpec v6 = pools["default-ipv6-ippool"];
        Assert.Equal(("fd00:77::/48", 120, "Never", "Never", true, "all()"), (v6.Cidr, v6.BlockSize, v6.VxlanMode, v6.IpipMode, v6.NatOutgoing == true, v6.NodeSelector));
        Assert.Equal(64513u, self?.Spec.Bgp?.AsNumber);
        Assert.Contains($"router id {BirdRouterId.Hash("host1")};\n", birdCfg, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probes_RunningNode_Ready_ThenPeerDown_ThenBirdStopped_Exit1WithUpstreamsReasons()
    {
        string socket = node.Dir.File("bird.ctl");
        await using (BirdControl control = await BirdControl.ConnectAsync(socket, CancellationToken.None))
        {
            Assert.Equal(BirdRouterId.Hash("host1"), (await control.ShowStatusAsync(CancellationToken.None)).RouterId);
        }

        var ready = await node.RunCliAsync("-felix-live", "-felix-ready", "-bird-live", "-bird-ready", "--state-dir", node.Dir.Path);
        Assert.True(ready.Code == 0, ready.Output);

        // A mesh peer that never answers: within the threshold after start every peer must be Established.
        var peer = new Api.Node { Metadata = { Name = "host2" }, Spec = { Bgp = new NodeBGPSpec { Ipv4Address = "192.168.5.2/24" } } };
        Assert.True((await node.Client.CreateAsync(peer, CancellationToken.None)).Succeeded);
        await node.WaitForAsync(async () => (await File.ReadAllTextAsync(node.Dir.File("bird.cfg"))).Contains("Mesh_192_168_5_2", StringComparison.Ordinal), TimeSpan.FromSeconds(20), "the mesh peer in bird.cfg");
        var peerDown = await node.RunCliAsync("health", "--bird-ready", "--threshold-time", "10m", "--state-dir", node.Dir.Path);
        await node.Client.DeleteAsync(ResourceKinds.Node, null, "host2", null, CancellationToken.None);

        Assert.Equal(1, peerDown.Code);
        Assert.Contains("calico/node is not ready: BIRD is not ready: BGP not established with 192.168.5.2", peerDown.Output, StringComparison.Ordinal);

        // The peer's removal reconfigures BIRD; once that is through nothing restarts it before the refresh (90 s).
        await node.WaitForAsync(async () => !(await File.ReadAllTextAsync(node.Dir.File("bird.cfg"))).Contains("Mesh_192_168_5_2", StringComparison.Ordinal), TimeSpan.FromSeconds(20), "the mesh peer gone from bird.cfg");
        await Task.Delay(500);
        int birdPid = int.Parse((await File.ReadAllTextAsync(node.Dir.File("bird.pid"))).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        AgentHostFixture.Sh($"kill -TERM {birdPid}");
        await node.WaitForAsync(() => Task.FromResult(!Directory.Exists($"/proc/{birdPid}")), TimeSpan.FromSeconds(10), "BIRD to stop");
        var live = await node.RunCliAsync("-bird-live", "--state-dir", node.Dir.Path);
        var birdReady = await node.RunCliAsync("-bird-ready", "--state-dir", node.Dir.Path);
        var felix = await node.RunCliAsync("-felix-live", "--state-dir", node.Dir.Path);

        Assert.Equal(1, live.Code);
        Assert.Contains("calico/node is not ready: bird is not live: ", live.Output, StringComparison.Ordinal);
        Assert.Equal(1, birdReady.Code);
        Assert.Contains("calico/node is not ready: BIRD is not ready: error querying BIRD: unable to connect to BIRDv4 socket", birdReady.Output, StringComparison.Ordinal);
        Assert.True(felix.Code == 0, felix.Output);
    }
}
