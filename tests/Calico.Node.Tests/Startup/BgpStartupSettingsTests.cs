using Calico.Node.Startup;

namespace Calico.Node.Tests.Startup;

/// <summary>AS and CALICO_ROUTER_ID as upstream's configureASNumber and confd read them.</summary>
[Trait("Tier", "Unit")]
public sealed class BgpStartupSettingsTests
{
    private static BgpStartupSettings Parse(params (string Key, string Value)[] env) =>
        BgpStartupSettings.Parse(env.ToDictionary(e => e.Key, e => e.Value), "node-a");

    [Fact]
    public void Parse_AsPlainOrDotted_RouterIdAddressOrHash()
    {
        Assert.Equal(new BgpStartupSettings(null, null), Parse());
        Assert.Equal(64513u, Parse(("AS", "64513")).AsNumber);
        Assert.Equal((1u << 16) + 10, Parse(("AS", "1.10")).AsNumber);
        Assert.Equal("10.9.8.7", Parse(("CALICO_ROUTER_ID", "10.9.8.7")).RouterId);
        Assert.Equal(Calico.Bird.BirdRouterId.Hash("node-a"), Parse(("CALICO_ROUTER_ID", "hash")).RouterId);
    }

    [Fact]
    public void Parse_PolicyOnlyBackend_IgnoresAs()
    {
        Assert.Null(Parse(("AS", "64513"), ("CALICO_NETWORKING_BACKEND", "none")).AsNumber);
    }

    [Theory]
    [InlineData("AS", "0")]
    [InlineData("AS", "4294967296")]
    [InlineData("AS", "65536.1")]
    [InlineData("AS", "sixty")]
    [InlineData("CALICO_ROUTER_ID", "fd00::1")]
    [InlineData("CALICO_ROUTER_ID", "10.0.0.256")]
    [InlineData("CALICO_ROUTER_ID", "0.0.0.0")]
    [InlineData("CALICO_ROUTER_ID", "HASH")]
    public void Parse_BadValue_NamesVariableAndValue(string variable, string value)
    {
        var e = Assert.Throws<ArgumentException>(() => Parse((variable, value)));
        Assert.Contains($"{variable}='{value}'", e.Message, StringComparison.Ordinal);
    }
}
