using Calico.Felix.Dataplane.Interfaces;

namespace Calico.Felix.Dataplane.Tests.Interfaces;

[Trait("Tier", "Unit")]
public class HostRpFilterDefaultTests
{
    [Theory]
    [InlineData("0", "0")]
    [InlineData("1", "1")]
    [InlineData("2", "2")]
    [InlineData("3", null)]
    [InlineData("", null)]
    [InlineData("1 ", null)]
    [InlineData("strict", null)]
    [InlineData(null, null)]
    public void FromHostDefault_Text_ValueOrNull(string? text, string? expected) =>
        Assert.Equal(expected, HostRpFilterDefault.FromHostDefault(text));
}
