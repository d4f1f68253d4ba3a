namespace Calico.Bird.Tests;

[Trait("Tier", "Unit")]
public sealed class BirdPeerNameTests
{
    [Theory]
    [InlineData("Mesh_10_0_0_2", "10.0.0.2", "node-to-node mesh", false)]
    [InlineData("Global_10_0_0_254", "10.0.0.254", "global", false)]
    [InlineData("Node_10_0_0_253_port_1790", "10.0.0.253", "node specific", false)]
    [InlineData("Mesh_fd00__2", "fd00::2", "node-to-node mesh", true)]
    [InlineData("Node_2001_db8__1_port_179", "2001:db8::1", "node specific", true)]
    public void TryDecode_CalicoPeering_AddressAndType(string name, string address, string type, bool ipv6)
    {
        Assert.Equal(new BirdPeerName(address, type, ipv6), BirdPeerName.TryDecode(name));
    }

    [Theory]
    [InlineData("kernel_v4")]
    [InlineData("device1")]
    [InlineData("Mesh_not_an_ip")]
    [InlineData("tor_10_0_0_1")]
    public void TryDecode_OtherProtocol_Null(string name) => Assert.Null(BirdPeerName.TryDecode(name));
}
