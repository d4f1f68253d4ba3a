using Calico.Bird.Control;

namespace Calico.Bird.Tests;

[Trait("Tier", "Unit")]
public sealed class BirdBgpStateTests
{
    private const string ShowProtocolsAll = """
        Name       Proto      Table      State  Since         Info
        device1    Device     ---        up     14:24:24
        Mesh_172_30_0_12 BGP        ---        up     14:24:24      Established
          BGP state:          Established
            Neighbor address: 172.30.0.12
            Neighbor AS:      64512
        Mesh_172_30_1_13 BGP        ---        start  14:24:24      Active
          BGP state:          Active
            Neighbor address: 172.30.1.13
        """;

    [Theory]
    [InlineData("172.30.0.12", "Established")]
    [InlineData("172.30.1.13", "Active")]
    [InlineData("10.9.9.9", "none")]
    public void The_state_belongs_to_the_neighbours_own_block(string neighbor, string expected) =>
        Assert.Equal(expected, BirdBgpState.Of(ShowProtocolsAll, neighbor));

    [Fact]
    public async Task No_bird_at_the_socket_is_none() =>
        Assert.Equal("none", await BirdBgpState.QueryAsync("/nonexistent/bird.ctl", "10.0.0.1", CancellationToken.None));
}
