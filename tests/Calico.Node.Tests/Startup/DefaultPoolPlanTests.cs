using System.Net;
using Calico.Node.Startup;

namespace Calico.Node.Tests.Startup;

/// <summary>The default pools' variables as upstream's configureIPPools reads them, and every bad value refused.</summary>
[Trait("Tier", "Unit")]
public sealed class DefaultPoolPlanTests
{
    private static DefaultPoolPlan Parse(params (string Key, string Value)[] env) =>
        DefaultPoolPlan.Parse(env.ToDictionary(e => e.Key, e => e.Value));

    [Fact]
    public void Parse_Unset_UpstreamsDefaults()
    {
        DefaultPoolPlan plan = Parse();

        Assert.Equal(new DefaultPoolSpec("default-ipv4-ippool", 4, null, 26, "Never", "Never", true, "", false), plan.V4);
        Assert.Equal(new DefaultPoolSpec("default-ipv6-ippool", 6, null, 122, "Never", "Never", false, "", false), plan.V6);
        Assert.True(plan.Ipv6Support);
    }

    [Fact]
    public void Parse_EveryVariable_ReachesItsField()
    {
        DefaultPoolPlan plan = Parse(
            ("CALICO_IPV4POOL_CIDR", "10.48.3.0/16"),
            ("CALICO_IPV4POOL_BLOCK_SIZE", "28"),
            ("CALICO_IPV4POOL_VXLAN", "cross-subnet"),
            ("CALICO_IPV4POOL_NAT_OUTGOING", "false"),
            ("CALICO_IPV4POOL_NODE_SELECTOR", "zone == 'a'"),
            ("CALICO_IPV4POOL_DISABLE_BGP_EXPORT", "yes"),
            ("CALICO_IPV6POOL_CIDR", "fd00:48::/48"),
            ("CALICO_IPV6POOL_BLOCK_SIZE", "120"),
            ("CALICO_IPV6POOL_VXLAN", "Always"),
            ("CALICO_IPV6POOL_NAT_OUTGOING", "true"),
            ("CALICO_IPV6POOL_NODE_SELECTOR", "all()"),
            ("CALICO_IPV6POOL_DISABLE_BGP_EXPORT", "1"),
            ("FELIX_IPV6SUPPORT", "false"));

        // Host bits are masked off, as upstream's cnet.ParseCIDR.
        Assert.Equal(new DefaultPoolSpec("default-ipv4-ippool", 4, "10.48.0.0/16", 28, "Never", "CrossSubnet", false, "zone == 'a'", true), plan.V4);
        Assert.Equal(new DefaultPoolSpec("default-ipv6-ippool", 6, "fd00:48::/48", 120, "Never", "Always", true, "all()", true), plan.V6);
        Assert.False(plan.Ipv6Support);
        Assert.Equal("Always", Parse(("CALICO_IPV4POOL_IPIP", "ALWAYS")).V4!.IpipMode);
        Assert.Equal("CrossSubnet", Parse(("CALICO_IPV4POOL_IPIP", "crosssubnet")).V4!.IpipMode);
    }

    [Fact]
    public void Parse_NoneSkipsOneFamily_NoDefaultPoolsSkipsBoth()
    {
        Assert.Null(Parse(("CALICO_IPV4POOL_CIDR", "none")).V4);
        Assert.NotNull(Parse(("CALICO_IPV4POOL_CIDR", "none")).V6);
        Assert.Null(Parse(("CALICO_IPV6POOL_CIDR", "none")).V6);
        Assert.Same(DefaultPoolPlan.None, Parse(("NO_DEFAULT_POOLS", "true")));
        Assert.NotNull(Parse(("NO_DEFAULT_POOLS", "false")).V4);
    }

    [Theory]
    [InlineData("CALICO_IPV4POOL_CIDR", "192.168.0.0", "CALICO_IPV4POOL_CIDR='192.168.0.0'")]
    [InlineData("CALICO_IPV4POOL_CIDR", "fd00::/48", "CALICO_IPV4POOL_CIDR='fd00::/48'")]
    [InlineData("CALICO_IPV6POOL_CIDR", "10.0.0.0/8", "CALICO_IPV6POOL_CIDR='10.0.0.0/8'")]
    [InlineData("CALICO_IPV4POOL_BLOCK_SIZE", "19", "CALICO_IPV4POOL_BLOCK_SIZE='19'")]
    [InlineData("CALICO_IPV4POOL_BLOCK_SIZE", "33", "CALICO_IPV4POOL_BLOCK_SIZE='33'")]
    [InlineData("CALICO_IPV4POOL_BLOCK_SIZE", "x", "CALICO_IPV4POOL_BLOCK_SIZE='x'")]
    [InlineData("CALICO_IPV6POOL_BLOCK_SIZE", "115", "CALICO_IPV6POOL_BLOCK_SIZE='115'")]
    [InlineData("CALICO_IPV4POOL_VXLAN", "sometimes", "CALICO_IPV4POOL_VXLAN='sometimes'")]
    [InlineData("CALICO_IPV4POOL_IPIP", "on", "CALICO_IPV4POOL_IPIP='on'")]
    [InlineData("CALICO_IPV6POOL_VXLAN", "yes", "CALICO_IPV6POOL_VXLAN='yes'")]
    [InlineData("CALICO_IPV4POOL_NAT_OUTGOING", "maybe", "CALICO_IPV4POOL_NAT_OUTGOING='maybe'")]
    [InlineData("CALICO_IPV6POOL_DISABLE_BGP_EXPORT", "sure", "CALICO_IPV6POOL_DISABLE_BGP_EXPORT='sure'")]
    [InlineData("CALICO_IPV4POOL_NODE_SELECTOR", "zone ==", "CALICO_IPV4POOL_NODE_SELECTOR='zone =='")]
    [InlineData("CALICO_IPV6POOL_NODE_SELECTOR", "has(", "CALICO_IPV6POOL_NODE_SELECTOR='has('")]
    [InlineData("NO_DEFAULT_POOLS", "please", "NO_DEFAULT_POOLS='please'")]
    [InlineData("FELIX_IPV6SUPPORT", "perhaps", "FELIX_IPV6SUPPORT='perhaps'")]
    public void Parse_BadValue_NamesVariableAndValue(string variable, string value, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => Parse((variable, value)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Contradictions_Refused()
    {
        var both = Assert.Throws<ArgumentException>(() => Parse(("CALICO_IPV4POOL_IPIP", "Always"), ("CALICO_IPV4POOL_VXLAN", "CrossSubnet")));
        Assert.Contains("CALICO_IPV4POOL_IPIP='Always' and CALICO_IPV4POOL_VXLAN='CrossSubnet'", both.Message, StringComparison.Ordinal);
        var noPools = Assert.Throws<ArgumentException>(() => Parse(("NO_DEFAULT_POOLS", "true"), ("CALICO_IPV4POOL_CIDR", "10.48.0.0/16")));
        Assert.Contains("NO_DEFAULT_POOLS=true with CALICO_IPV4POOL_CIDR='10.48.0.0/16'", noPools.Message, StringComparison.Ordinal);
        var small = Assert.Throws<ArgumentException>(() => Parse(("CALICO_IPV4POOL_CIDR", "10.48.0.0/28"), ("CALICO_IPV4POOL_BLOCK_SIZE", "26")));
        Assert.Contains("CALICO_IPV4POOL_BLOCK_SIZE='26'", small.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.0.0.5", "192.168.0.0/16")]
    [InlineData("192.168.1.10", "172.16.0.0/16")]
    [InlineData("192.168.1.10,172.16.4.1,172.17.0.1", "172.18.0.0/16")]
    public void ChooseIpv4Cidr_AvoidsHostAddresses_AsUpstreamsPoolSelector(string hostAddresses, string expected)
    {
        Assert.Equal(expected, DefaultPoolPlan.ChooseIpv4Cidr(hostAddresses.Split(',').Select(IPAddress.Parse)));
    }

    [Fact]
    public void ChooseIpv4Cidr_EveryRangeTaken_KeepsUpstreamsDefault()
    {
        var taken = Enumerable.Range(16, 16).Select(i => IPAddress.Parse($"172.{i}.0.1")).Append(IPAddress.Parse("192.168.0.1"));
        Assert.Equal("192.168.0.0/16", DefaultPoolPlan.ChooseIpv4Cidr(taken));
    }

    [Fact]
    public void RandomUlaPrefix_Fd00Slash8With40RandomBits_Slash48()
    {
        Assert.Equal("fd01:203:405::/48", DefaultPoolPlan.RandomUlaPrefix(b => { for (int i = 0; i < b.Length; i++) { b[i] = (byte)(i + 1); } }));
    }
}
