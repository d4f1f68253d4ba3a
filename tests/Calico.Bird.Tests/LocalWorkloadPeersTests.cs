namespace Calico.Bird.Tests;

[Trait("Tier", "Unit")]
public sealed class LocalWorkloadPeersTests
{
    [Fact]
    public void Select_UpstreamCase_EachWorkloadGetsFirstPeerByName()
    {
        var inputs = GoldenCase.Load("local-workload-peer");

        var selected = LocalWorkloadPeers.Select(inputs);

        Assert.Collection(
            selected,
            w =>
            {
                Assert.Equal(("cali0a1b2c3d4e5", "test-global-peer", 64516u, 65002u), (w.InterfaceName, w.PeerName, w.AsNumber, w.LocalAsNumber!.Value));
                Assert.Equal(("192.168.162.134", "fd00:10:244:0:586d:4461:e980:a284"), (w.Ipv4, w.Ipv6));
            },
            w => Assert.Equal(("cali1a1b2c3d4e5", "test-node-peer", "192.168.162.136", (string?)null), (w.InterfaceName, w.PeerName, w.Ipv4, w.Ipv6)));
        Assert.Equal("169.254.0.179", LocalWorkloadPeers.PeeringIpv4(inputs));
        Assert.Equal("fe80::179", LocalWorkloadPeers.PeeringIpv6(inputs));
    }

    [Fact]
    public void Select_NoPeerWithLocalWorkloadSelector_Empty()
    {
        var inputs = GoldenCase.Load("node-specific-peer");

        Assert.Empty(LocalWorkloadPeers.Select(inputs));
        Assert.Null(LocalWorkloadPeers.PeeringIpv4(inputs));
    }

    [Fact]
    public void Render_InvalidLocalWorkloadSelector_NamesTheField()
    {
        var inputs = GoldenCase.Load("local-workload-peer");
        inputs.Peers[0].Spec.LocalWorkloadSelector = "app ==";

        var error = Assert.Throws<BirdInputException>(() => BirdConfigRenderer.Render(inputs));

        Assert.Contains("BGPPeer(test-global-peer).spec.localWorkloadSelector", error.Message, StringComparison.Ordinal);
    }
}
