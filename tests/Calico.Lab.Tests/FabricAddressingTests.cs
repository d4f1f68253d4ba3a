using Calico.Lab.Cluster;

namespace Calico.Lab.Tests;

[Trait("Tier", "Unit")]
public sealed class FabricAddressingTests
{
    [Theory]
    [InlineData(1, 0, "172.30.0.11", "fd00:30::11")]
    [InlineData(2, 0, "172.30.0.12", "fd00:30::12")]
    [InlineData(3, 1, "172.30.1.13", "fd00:30:1::13")]
    [InlineData(4, 0, "172.30.0.14", "fd00:30::14")]
    [InlineData(6, 1, "172.30.1.16", "fd00:30:1::16")]
    [InlineData(200, 0, "172.30.0.210", "fd00:30::210")]
    public void Host_SubnetOneWhenIndexIsAMultipleOfThree(int index, int subnet, string address, string address6)
    {
        Assert.Equal(subnet, FabricAddressing.SubnetOf(index));
        Assert.Equal(address, FabricAddressing.HostAddress(index));
        Assert.Equal(address6, FabricAddressing.HostAddress6(index));
        Assert.True(System.Net.IPAddress.TryParse(address6, out _));
    }
}
