using Calico.Api;
using Calico.TestKit;
using static Calico.Bird.Tests.BirdTestTopology;

namespace Calico.Bird.Tests;

/// <summary>
/// Real BIRD 2 daemons, configured by the renderer: a floating IP's /32, which calico-node routes to the workload's
/// interface, is learned from the kernel and advertised to the other node when it lies in an IP pool (upstream: BIRD's
/// kernel protocol learns it and <c>calico_export_to_bgp_peers</c> accepts pool routes); one outside every pool is
/// not, and one inside the node's own block rides on the block. Root tier: fails (never skips) without root, ip or bird.
/// </summary>
[Trait("Tier", "Root")]
public sealed class BirdFloatingIpRootTests
{
    private const string Block = "10.70.0.0/26";
    private const string InPool = "10.70.5.7/32";
    private const string OutsidePools = "203.0.113.7/32";
    private const string InOwnBlock = "10.70.0.9/32";

    [Fact]
    public async Task FloatingIpRoute_InAPool_IsAdvertisedToTheOtherNode_OthersAreNot()
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

        // The workload's interface with the routes calico-node programs (protocol boot) for a floating IP each.
        nsA.Ip("link", "add", "calif1p0", "type", "veth", "peer", "name", "wl-end");
        nsA.Ip("link", "set", "wl-end", "up");
        nsA.Ip("link", "set", "calif1p0", "up");
        foreach (string route in new[] { InPool, OutsidePools, InOwnBlock })
        {
            nsA.Ip("route", "add", route, "dev", "calif1p0", "proto", "boot");
        }

        Node[] nodes = [Node("node-a", "10.0.0.1"), Node("node-b", "10.0.0.2")];
        await BirdDaemon.StartAsync(children, nsA, dir, "a", BirdConfigRenderer.Render(Inputs("node-a", nodes, [Block])));
        await BirdDaemon.StartAsync(children, nsB, dir, "b", BirdConfigRenderer.Render(Inputs("node-b", nodes, [])));

        await Eventually.WaitAsync("the floating IP's /32 and A's block on B via A", () => Task.FromResult(
            Gateway(Route(nsB, InPool)) == "10.0.0.1" && Gateway(Route(nsB, Block)) == "10.0.0.1"));
        Assert.Equal("bird", Protocol(Route(nsB, InPool)));
        Assert.Null(Route(nsB, OutsidePools));
        Assert.Null(Route(nsB, InOwnBlock));

        // The workload gone (its route removed): the /32 is withdrawn.
        nsA.Ip("route", "del", InPool, "dev", "calif1p0");
        await Eventually.WaitAsync("the floating IP's /32 withdrawn from B", () => Task.FromResult(Route(nsB, InPool) is null));
    }
}
