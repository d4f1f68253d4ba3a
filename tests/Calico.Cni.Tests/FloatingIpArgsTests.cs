using System.Net;
using System.Text;

namespace Calico.Cni.Tests;

/// <summary>args.cni.floatingIPs (with feature_control.floating_ips) and args.cni.allowedSourcePrefixes, parsed and validated.</summary>
[Trait("Tier", "Unit")]
public sealed class FloatingIpArgsTests
{
    private static NetConf Parse(string features, string cni) =>
        NetConfParser.Parse(Encoding.UTF8.GetBytes(
            "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"calico\",\"ipam\":{\"type\":\"calico-ipam\"}" + features + ",\"args\":{\"cni\":{" + cni + "}}}"));

    private const string Enabled = ""","feature_control":{"floating_ips":true}""";

    [Theory]
    [InlineData("""["203.0.113.7"]""", "203.0.113.7")]
    [InlineData("""["203.0.113.7","2001:db8::7"]""", "203.0.113.7,2001:db8::7")]
    [InlineData("""["2001:DB8:0::7","2001:db8::7"]""", "2001:db8::7")]
    [InlineData("""[]""", "")]
    public void FloatingIps_Valid_WithTheFeature(string list, string expected)
    {
        NetConf conf = Parse(Enabled, $"\"floatingIPs\":{list}");

        Assert.Equal(expected, string.Join(',', conf.Args.FloatingIps.Select(a => a.ToString())));
    }

    [Theory]
    [InlineData(Enabled, """["203.0.113.0/24"]""", 7, "\"203.0.113.0/24\" is not an IP address")]
    [InlineData(Enabled, """["10.1"]""", 7, "\"10.1\" is not an IP address")]
    [InlineData(Enabled, """["fe80::1%eth0"]""", 7, "is not an IP address")]
    [InlineData(Enabled, """["not-an-ip"]""", 7, "args.cni.floatingIPs")]
    [InlineData(Enabled, "\"203.0.113.7\"", 6, "args.cni.floatingIPs")]
    [InlineData(Enabled, """[7]""", 6, "args.cni.floatingIPs")]
    [InlineData("", """["203.0.113.7"]""", 7, "feature_control.floating_ips")]
    [InlineData(""","feature_control":{"floating_ips":false}""", """["203.0.113.7"]""", 7, "requested feature is not enabled")]
    public void FloatingIps_Invalid_AreRefusedNamingTheField(string features, string list, int code, string message)
    {
        var e = Assert.Throws<CniException>(() => Parse(features, $"\"floatingIPs\":{list}"));

        Assert.Equal(code, e.Code);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FloatingIpsFeature_WithoutFloatingIps_IsAccepted()
    {
        Assert.Empty(Parse(Enabled, "").Args.FloatingIps);
    }

    [Theory]
    [InlineData("""["10.65.9.0/24"]""", "10.65.9.0/24")]
    [InlineData("""["10.65.9.9/24","192.168.0.1/32"]""", "10.65.9.0/24,192.168.0.1/32")]
    [InlineData("""["fd00:99::1/64"]""", "fd00:99::/64")]
    public void AllowedSourcePrefixes_Valid_Normalised(string list, string expected)
    {
        NetConf conf = Parse("", $"\"allowedSourcePrefixes\":{list}");

        Assert.Equal(expected, string.Join(',', conf.Args.AllowedSourcePrefixes.Select(p => p.ToString())));
    }

    [Theory]
    [InlineData("""["10.65.9.9"]""")]
    [InlineData("""["10.65.9.0/33"]""")]
    [InlineData("""["fd00::/129"]""")]
    [InlineData("""["10.65.9.0/-1"]""")]
    [InlineData("""["bogus/8"]""")]
    public void AllowedSourcePrefixes_Invalid_AreRefusedNamingTheField(string list)
    {
        var e = Assert.Throws<CniException>(() => Parse("", $"\"allowedSourcePrefixes\":{list}"));

        Assert.Equal(7, e.Code);
        Assert.Contains("args.cni.allowedSourcePrefixes", e.Message, StringComparison.Ordinal);
        Assert.Contains("is not a CIDR", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BothArgs_ParsedTogether()
    {
        NetConf conf = Parse(Enabled, "\"floatingIPs\":[\"203.0.113.7\"],\"allowedSourcePrefixes\":[\"10.65.9.0/24\"]");

        Assert.Equal([IPAddress.Parse("203.0.113.7")], conf.Args.FloatingIps);
        Assert.Equal([IPNetwork.Parse("10.65.9.0/24")], conf.Args.AllowedSourcePrefixes);
    }
}
