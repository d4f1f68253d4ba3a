using Calico.Api;
using Calico.Bird.Control;
using Calico.TestKit;
using static Calico.Bird.Tests.BirdTestTopology;

namespace Calico.Bird.Tests;

/// <summary>
/// Real BIRD 2 daemons in namespaces this test creates, configured by the renderer: routes must reach the other
/// kernel. Root tier: fails (never skips) without root, ip or bird.
/// </summary>
[Trait("Tier", "Root")]
public sealed class BirdPeeringRootTests
{
    private const string Block = "10.70.0.0/26";

    [Fact]
    public async Task Mesh_BlockOnA_ProgrammedOnBThenWithdrawnByReconfigure()
    {
        using var children = new ChildProcess();
        using var dir = new TempDirectory("calico-bird");
        using var nsA = new NetnsScope("calbird");
        using var nsB = new NetnsScope("calbird");
        nsA.Ip("link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", nsB.Name);
        nsA.Ip("addr", "add", "10.0.0.1/24", "dev", "eth0");
        nsB.Ip("addr", "add", "10.0.0.2/24", "dev", "eth0");
        nsA.Ip("link", "set", "eth0", "up");
        nsB.Ip("link", "set", "eth0", "up");
        Node[] nodes = [Node("node-a", "10.0.0.1"), Node("node-b", "10.0.0.2")];

        var birdA = await BirdDaemon.StartAsync(children, nsA, dir, "a", BirdConfigRenderer.Render(Inputs("node-a", nodes, [Block])));
        var birdB = await BirdDaemon.StartAsync(children, nsB, dir, "b", BirdConfigRenderer.Render(Inputs("node-b", nodes, [])));
        await using var controlA = await birdA.ConnectAsync();
        await using var controlB = await birdB.ConnectAsync();
        Assert.StartsWith("BIRD 2.", controlA.Greeting, StringComparison.Ordinal);

        await Eventually.WaitAsync("the block on B via A", () => Task.FromResult(Gateway(Route(nsB, Block)) == "10.0.0.1"));
        Assert.Equal("bird", Protocol(Route(nsB, Block)));
        Assert.Equal("blackhole", Type(Route(nsA, Block)));

        var meshOnA = Assert.Single(await controlA.ShowProtocolsAsync(CancellationToken.None), p => p.Name == "Mesh_10_0_0_2");
        Assert.Equal(("BGP", "up", "Established"), (meshOnA.Proto, meshOnA.State, meshOnA.Info));
        var countsOnB = await controlB.ShowRouteCountAsync(CancellationToken.None);
        Assert.Contains(countsOnB, c => c.Table == "master4" && c.Networks >= 1);

        // A broken file is refused and reported with its position; BIRD keeps the running configuration.
        await File.WriteAllTextAsync(birdA.ConfigPath, "router id 10.0.0.1;\nprotocol nonsense {\n");
        var refused = await controlA.ConfigureAsync(CancellationToken.None);
        Assert.False(refused.Succeeded);
        Assert.Contains(birdA.ConfigPath + ":2", refused.Message, StringComparison.Ordinal);

        await File.WriteAllTextAsync(birdA.ConfigPath, BirdConfigRenderer.Render(Inputs("node-a", nodes, [])));
        var accepted = await controlA.ConfigureAsync(CancellationToken.None);
        Assert.True(accepted.Succeeded, accepted.Message);
        await Eventually.WaitAsync("the block withdrawn from B", () => Task.FromResult(Route(nsB, Block) is null));
        var meshAfter = Assert.Single(await controlA.ShowProtocolsAsync(CancellationToken.None), p => p.Name == "Mesh_10_0_0_2");
        Assert.Equal("Established", meshAfter.Info);
    }

    [Fact]
    public async Task GlobalPeer_TopOfRackRouter_LearnsBothNodesBlocks()
    {
        using var children = new ChildProcess();
        using var dir = new TempDirectory("calico-bird");
        using var nsA = new NetnsScope("calbird");
        using var nsB = new NetnsScope("calbird");
        using var nsTor = new NetnsScope("calbird");
        nsTor.Ip("link", "add", "br0", "type", "bridge");
        nsTor.Ip("addr", "add", "10.0.0.254/24", "dev", "br0");
        nsTor.Ip("link", "set", "br0", "up");
        foreach (var (ns, port, address) in new[] { (nsA, "to-a", "10.0.0.1/24"), (nsB, "to-b", "10.0.0.2/24") })
        {
            nsTor.Ip("link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns.Name);
            nsTor.Ip("link", "set", port, "master", "br0");
            nsTor.Ip("link", "set", port, "up");
            ns.Ip("addr", "add", address, "dev", "eth0");
            ns.Ip("link", "set", "eth0", "up");
        }

        Node[] nodes = [Node("node-a", "10.0.0.1"), Node("node-b", "10.0.0.2")];
        BGPPeer[] tor = [new() { Metadata = new ObjectMeta { Name = "tor" }, Spec = new BGPPeerSpec { PeerIP = "10.0.0.254", AsNumber = 65000 } }];
        await BirdDaemon.StartAsync(children, nsA, dir, "a", BirdConfigRenderer.Render(Inputs("node-a", nodes, ["10.70.0.0/26"], tor)));
        await BirdDaemon.StartAsync(children, nsB, dir, "b", BirdConfigRenderer.Render(Inputs("node-b", nodes, ["10.70.1.0/26"], tor)));
        var torBird = await BirdDaemon.StartAsync(children, nsTor, dir, "tor", TorConfig);
        await using var torControl = await torBird.ConnectAsync();

        await Eventually.WaitAsync("both blocks on the ToR", () => Task.FromResult(
            Protocol(Route(nsTor, "10.70.0.0/26")) == "bird" && Protocol(Route(nsTor, "10.70.1.0/26")) == "bird"));
        // Each node also re-advertises the other's block (learned over the mesh) with itself as next hop, so the
        // ToR holds two paths per block and picks one by BGP's tie-breaks; the owner's path must be among them.
        // The re-advertised path can arrive first (the owner's session may come up a moment later): wait for both.
        var owners = new[] { ("10.70.0.0/26", "10.0.0.1"), ("10.70.1.0/26", "10.0.0.2") };
        await Eventually.WaitAsync("each block's owner among the ToR's paths", async () =>
        {
            foreach (var (block, owner) in owners)
            {
                var paths = await torControl.SendAsync("show route for " + block, CancellationToken.None);
                if (!paths.Text.Contains("via " + owner + " ", StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        });
        foreach (var (block, _) in owners)
        {
            Assert.Contains(Gateway(Route(nsTor, block)), new[] { "10.0.0.1", "10.0.0.2" });
        }

        var sessions = (await torControl.ShowProtocolsAsync(CancellationToken.None)).Where(p => p.Proto == "BGP").ToList();
        Assert.Equal(2, sessions.Count);
        Assert.All(sessions, s => Assert.Equal("Established", s.Info));
    }

    /// <summary>An ordinary eBGP router (AS 65000): takes everything the nodes send, programs it, sends nothing.</summary>
    private const string TorConfig = """
        router id 10.0.0.254;
        protocol device { scan time 2; }
        protocol direct { ipv4; interface "br0"; }
        protocol kernel {
          ipv4 { import none; export filter { if source = RTS_BGP then accept; reject; }; };
        }
        template bgp node {
          local as 65000;
          multihop;
          ipv4 { import all; export none; };
        }
        protocol bgp node_a from node { neighbor 10.0.0.1 as 64512; }
        protocol bgp node_b from node { neighbor 10.0.0.2 as 64512; }

        """;
}
