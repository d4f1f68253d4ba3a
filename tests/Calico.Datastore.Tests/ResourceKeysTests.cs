namespace Calico.Datastore.Tests;

[Trait("Tier", "Unit")]
public sealed class ResourceKeysTests
{
    [Theory]
    [InlineData("ippools", null, "default-ipv4-ippool", "/calico/resources/v3/projectcalico.org/ippools/default-ipv4-ippool")]
    [InlineData("networkpolicies", "prod", "allow-web", "/calico/resources/v3/projectcalico.org/networkpolicies/prod/allow-web")]
    [InlineData("profiles", null, "kns.prod", "/calico/resources/v3/projectcalico.org/profiles/kns.prod")]
    [InlineData("workloadendpoints", "prod", "node1-k8s-web--0-eth0", "/calico/resources/v3/projectcalico.org/workloadendpoints/prod/node1-k8s-web--0-eth0")]
    [InlineData("globalnetworksets", null, "a/b%c", "/calico/resources/v3/projectcalico.org/globalnetworksets/a%2fb%25c")]
    [InlineData("hostendpoints", "", "h", "/calico/resources/v3/projectcalico.org/hostendpoints/h")]
    public void ForResource_Names_MatchUpstreamLayout(string plural, string? ns, string name, string expected)
    {
        Assert.Equal(expected, ResourceKeys.ForResource(plural, ns, name));
    }

    [Theory]
    [InlineData("ippools", null, "/calico/resources/v3/projectcalico.org/ippools/")]
    [InlineData("networkpolicies", "prod", "/calico/resources/v3/projectcalico.org/networkpolicies/prod/")]
    public void Prefix_KindAndNamespace_EndsWithSlash(string plural, string? ns, string expected)
    {
        Assert.Equal(expected, ResourceKeys.Prefix(plural, ns));
    }

    [Theory]
    [InlineData("ippools", null, "default")]
    [InlineData("networkpolicies", "prod", "knp.default.deny-all")]
    [InlineData("globalnetworksets", null, "a/b%c%2f")]
    [InlineData("networksets", "ns1", "%25")]
    public void TryParse_ForResourceOutput_RoundTrips(string plural, string? ns, string name)
    {
        Assert.True(ResourceKeys.TryParse(ResourceKeys.ForResource(plural, ns, name), out string parsedPlural, out string? parsedNs, out string parsedName));
        Assert.Equal(plural, parsedPlural);
        Assert.Equal(ns, parsedNs);
        Assert.Equal(name, parsedName);
    }

    [Theory]
    [InlineData("/calico/ipam/v2/handle/x")]
    [InlineData("/calico/resources/v3/projectcalico.org/ippools")]
    [InlineData("/calico/resources/v3/projectcalico.org/ippools/")]
    [InlineData("/calico/resources/v3/projectcalico.org/a/b/c/d")]
    [InlineData("/calico/resources/v3/projectcalico.org/ippools/bad%zz")]
    [InlineData("/calico/resources/v3/projectcalico.org/ippools/trailing%2")]
    public void TryParse_NotAResourceKey_ReturnsFalse(string key)
    {
        Assert.False(ResourceKeys.TryParse(key, out _, out _, out _));
    }

    [Theory]
    [InlineData("", "x")]
    [InlineData("ip/pools", "x")]
    [InlineData("ippools", "")]
    public void ForResource_InvalidArguments_Throw(string plural, string name)
    {
        Assert.ThrowsAny<ArgumentException>(() => ResourceKeys.ForResource(plural, null, name));
    }

    [Fact]
    public void Ipam_Keys_MatchUpstreamLayout()
    {
        Assert.Equal("/calico/ipam/v2/assignment/ipv4/block/10.65.0.0-26", ResourceKeys.IpamBlock("10.65.0.0/26"));
        Assert.Equal("/calico/ipam/v2/assignment/ipv6/block/fd00:10:244::-122", ResourceKeys.IpamBlock("fd00:10:244::/122"));
        Assert.Equal("/calico/ipam/v2/assignment/ipv4/block/", ResourceKeys.IpamBlockPrefix(4));
        Assert.Equal("/calico/ipam/v2/host/node1/ipv4/block/10.65.0.0-26", ResourceKeys.IpamAffinity("node1", "10.65.0.0/26"));
        Assert.Equal("/calico/ipam/v2/host/node1/ipv6/block/", ResourceKeys.IpamAffinityPrefix("node1", 6));
        Assert.Equal("/calico/ipam/v2/handle/k8s-pod-network.abc", ResourceKeys.IpamHandle("k8s-pod-network.abc"));
        Assert.Equal("/calico/ipam/v2/config", ResourceKeys.IpamConfig);
    }

    [Fact]
    public void Ipam_ParseKeys_RecoverCidrAndNode()
    {
        Assert.True(ResourceKeys.TryParseIpamBlock("/calico/ipam/v2/assignment/ipv4/block/10.65.0.0-26", out string cidr));
        Assert.Equal("10.65.0.0/26", cidr);
        Assert.True(ResourceKeys.TryParseIpamBlock(ResourceKeys.IpamBlock("fd00::/122"), out string cidr6));
        Assert.Equal("fd00::/122", cidr6);
        Assert.True(ResourceKeys.TryParseIpamAffinity("/calico/ipam/v2/host/node1/ipv4/block/10.65.0.64-26", out string node, out string affinityCidr));
        Assert.Equal("node1", node);
        Assert.Equal("10.65.0.64/26", affinityCidr);
        Assert.False(ResourceKeys.TryParseIpamBlock("/calico/ipam/v2/handle/x", out _));
        Assert.False(ResourceKeys.TryParseIpamAffinity("/calico/ipam/v2/host/node1/ipv4/x/10.0.0.0-26", out _, out _));
    }

    [Theory]
    [InlineData("10.65.0.0")]
    [InlineData("10.65.0.0/")]
    [InlineData("10.65.0.0/26/1")]
    public void IpamBlock_NotACidr_Throws(string cidr)
    {
        Assert.Throws<ArgumentException>(() => ResourceKeys.IpamBlock(cidr));
    }
}
