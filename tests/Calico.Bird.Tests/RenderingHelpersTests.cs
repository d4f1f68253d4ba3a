using Calico.Bird.Rendering;

namespace Calico.Bird.Tests;

[Trait("Tier", "Unit")]
public sealed class RenderingHelpersTests
{
    [Theory]
    [InlineData("120s", 120)]
    [InlineData("2m", 120)]
    [InlineData("1h30m", 5400)]
    [InlineData("1.5s", 2)]
    [InlineData("500ms", 1)]
    [InlineData("0", 0)]
    public void BgpTimers_Valid_RoundedSeconds(string text, int seconds) => Assert.Equal(seconds, BgpTimers.ToRoundedSeconds(text));

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("5x")]
    [InlineData("s")]
    public void BgpTimers_Invalid_Null(string text) => Assert.Null(BgpTimers.ToRoundedSeconds(text));

    [Theory]
    [InlineData("10.0.0.1", "10.0.0.1", 0)]
    [InlineData("10.0.0.1:1790", "10.0.0.1", 1790)]
    [InlineData("[fd00::1]:179", "fd00::1", 179)]
    [InlineData("fd00:0::1", "fd00::1", 0)]
    public void SplitHostPort_Valid(string text, string host, int port)
    {
        Assert.True(ExplicitPeerPlanner.TrySplitHostPort(text, out var h, out var p));
        Assert.Equal((host, (ushort)port), (h, p));
    }

    [Theory]
    [InlineData("")]
    [InlineData("10.0.0.1:x")]
    [InlineData("[fd00::1]")]
    [InlineData("not-an-ip")]
    public void SplitHostPort_Invalid(string text) => Assert.False(ExplicitPeerPlanner.TrySplitHostPort(text, out _, out _));
}
