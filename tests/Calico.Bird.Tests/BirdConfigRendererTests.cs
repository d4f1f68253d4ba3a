using Calico.Api;
using static Calico.Bird.Tests.BirdTestTopology;

namespace Calico.Bird.Tests;

[Trait("Tier", "Unit")]
public sealed class BirdConfigRendererTests
{
    private static IPPool Pool(string name, string cidr, string? ipip = null, string? vxlan = null) => new()
    {
        Metadata = new ObjectMeta { Name = name },
        Spec = new IPPoolSpec { Cidr = cidr, IpipMode = ipip, VxlanMode = vxlan },
    };

    private static string KernelFilter(string config) =>
        config[config.IndexOf("filter calico_kernel_programming_v4", StringComparison.Ordinal)..][..config[config.IndexOf("filter calico_kernel_programming_v4", StringComparison.Ordinal)..].IndexOf("\n}", StringComparison.Ordinal)];

    [Fact]
    public void Render_EncapsulatedPools_NotProgrammedIntoKernelButExported()
    {
        var inputs = Inputs("node-a", [Node("node-a", "10.0.0.1"), Node("node-b", "10.0.0.2")], []) with
        {
            Pools = [Pool("vx", "10.73.0.0/16", vxlan: "Always"), Pool("ip", "10.74.0.0/16", ipip: "Always"), Pool("plain", "10.70.0.0/16")],
        };

        var config = BirdConfigRenderer.Render(inputs);

        var kernel = KernelFilter(config);
        Assert.Contains("if (net ~ 10.73.0.0/16) then { reject; } # VXLAN routes are handled by Felix.", kernel, StringComparison.Ordinal);
        Assert.Contains("if (net ~ 10.74.0.0/16) then { reject; } # Cluster routes are handled by Felix.", kernel, StringComparison.Ordinal);
        Assert.Contains("if (net ~ 10.70.0.0/16) then { accept; }", kernel, StringComparison.Ordinal);
        Assert.Contains("if (net ~ 10.73.0.0/16) then { accept; }", config, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ProgramClusterRoutesDisabled_UnencapsulatedPoolLeftToFelix()
    {
        var inputs = Inputs("node-a", [Node("node-a", "10.0.0.1")], []) with
        {
            GlobalConfig = new BGPConfiguration { Metadata = new ObjectMeta { Name = "default" }, Spec = new BGPConfigurationSpec { ProgramClusterRoutes = "Disabled" } },
        };

        Assert.Contains("if (net ~ 10.70.0.0/16) then { reject; } # Cluster routes are handled by Felix.", KernelFilter(BirdConfigRenderer.Render(inputs)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.0.0.2", "10.0.0.3", true)]
    [InlineData("10.0.0.2", "10.0.0.10", false)]
    [InlineData("10.0.0.9", "10.0.0.10", false)]
    [InlineData("10.0.0.10", "10.0.0.9", true)]
    public void Render_Mesh_PassiveWhenPeerIpGreaterAsString(string own, string peer, bool passive)
    {
        var config = BirdConfigRenderer.Render(Inputs("self", [Node("self", own), Node("other", peer)], []));
        var block = config[config.IndexOf("protocol bgp Mesh_", StringComparison.Ordinal)..];
        Assert.Equal(passive, block.Contains("passive on;", StringComparison.Ordinal));
    }

    [Fact]
    public void Render_UnknownNode_ThrowsNamingIt()
    {
        var e = Assert.Throws<BirdInputException>(() => BirdConfigRenderer.Render(Inputs("ghost", [Node("node-a", "10.0.0.1")], [])));
        Assert.Equal("ghost", e.Value);
    }

    [Fact]
    public void Render_PasswordWithQuote_RefusedWithoutLeakingIt()
    {
        var inputs = Inputs("node-a", [Node("node-a", "10.0.0.1")], [],
            [new BGPPeer { Metadata = new ObjectMeta { Name = "tor" }, Spec = new BGPPeerSpec { PeerIP = "10.0.0.254", AsNumber = 65000, Password = new BGPPassword { SecretKeyRef = new SecretKeySelector { Name = "s", Key = "k" } } } }])
            with { SecretLookup = (_, _) => "bad\"pass" };

        var e = Assert.Throws<BirdInputException>(() => BirdConfigRenderer.Render(inputs));
        Assert.DoesNotContain("bad", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_RouteReflectorNode_HasNoMeshAndStaysOutOfOthersMesh()
    {
        var reflector = Node("rr", "10.0.0.100");
        reflector.Spec.Bgp!.RouteReflectorClusterID = "224.0.0.1";
        Node[] nodes = [Node("node-a", "10.0.0.1"), reflector];

        Assert.DoesNotContain("protocol bgp", BirdConfigRenderer.Render(Inputs("rr", nodes, [])), StringComparison.Ordinal);
        Assert.DoesNotContain("protocol bgp", BirdConfigRenderer.Render(Inputs("node-a", nodes, [])), StringComparison.Ordinal);
    }

    private static BGPPeer Peer(string name, string? node, string peerIp, uint asNumber, string? reverse = null) => new()
    {
        Metadata = new ObjectMeta { Name = name },
        Spec = new BGPPeerSpec { Node = node, PeerIP = peerIp, AsNumber = asNumber, ReversePeering = reverse },
    };

    private static readonly BGPConfiguration MeshOff = new()
    {
        Metadata = new ObjectMeta { Name = "default" },
        Spec = new BGPConfigurationSpec { NodeToNodeMeshEnabled = false },
    };

    [Theory]
    [InlineData(null, true)]
    [InlineData("Auto", true)]
    [InlineData("Manual", false)]
    public void Render_PeerIpIsCalicoNode_ReversePeeringUnlessManual(string? reverse, bool expected)
    {
        Node[] nodes = [Node("node-a", "10.0.0.1"), Node("node-b", "10.0.0.2")];
        var inputs = Inputs("node-b", nodes, [], [Peer("a-to-b", "node-a", "10.0.0.2", 64512, reverse)]) with { GlobalConfig = MeshOff };

        var config = BirdConfigRenderer.Render(inputs);

        Assert.Equal(expected, config.Contains("protocol bgp Node_10_0_0_1 from bgp_template", StringComparison.Ordinal));
        Assert.DoesNotContain("Node_10_0_0_2", config, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_GlobalPeerToCalicoNode_PassiveOnLowerIpSideAndNoSessionToItself()
    {
        Node[] nodes = [Node("node-a", "10.0.0.1"), Node("node-b", "10.0.0.2")];
        BGPPeer[] peers = [Peer("everyone-to-b", null, "10.0.0.2", 64512, "Manual")];

        var onA = BirdConfigRenderer.Render(Inputs("node-a", nodes, [], peers) with { GlobalConfig = MeshOff });
        var onB = BirdConfigRenderer.Render(Inputs("node-b", nodes, [], peers) with { GlobalConfig = MeshOff });

        Assert.Contains("passive on;", onA[onA.IndexOf("protocol bgp Global_10_0_0_2", StringComparison.Ordinal)..], StringComparison.Ordinal);
        Assert.DoesNotContain("protocol bgp", onB, StringComparison.Ordinal);
    }
}
