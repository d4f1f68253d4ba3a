namespace Calico.Bird.Tests;

/// <summary>CALICO_ROUTER_ID=hash gives upstream's router id for the same node name (confd's own test vectors).</summary>
[Trait("Tier", "Unit")]
public sealed class BirdRouterIdTests
{
    [Theory]
    [InlineData("Testrobin123", "207.94.5.27")] // first byte 239 (multicast) lowered by 32, as upstream
    [InlineData("nodeTest", "109.174.215.226")]
    public void Hash_UpstreamVectors_SameRouterId(string nodeName, string expected)
    {
        Assert.Equal(expected, BirdRouterId.Hash(nodeName));
    }

    [Fact]
    public void Render_ExplicitRouterId_ReplacesNodeAddress()
    {
        var node = new Api.Node { Metadata = { Name = "n1" }, Spec = { Bgp = new Api.NodeBGPSpec { Ipv4Address = "10.0.0.1/24" } } };
        var inputs = new BirdInputs("n1", [node], null, [], [], [], []) { RouterId = "10.255.0.9" };

        Assert.Contains("router id 10.255.0.9;\n", BirdConfigRenderer.Render(inputs), StringComparison.Ordinal);
        Assert.Contains("router id 10.0.0.1;\n", BirdConfigRenderer.Render(inputs with { RouterId = null }), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Ipv6OnlyNode_HashesNameAsUpstreamsHash()
    {
        var node = new Api.Node { Metadata = { Name = "Testrobin123" }, Spec = { Bgp = new Api.NodeBGPSpec { Ipv6Address = "fd00::1/64" } } };
        var inputs = new BirdInputs("Testrobin123", [node], null, [], [], [], []);

        Assert.Contains("router id 207.94.5.27;\n", BirdConfigRenderer.Render(inputs), StringComparison.Ordinal);
    }
}
