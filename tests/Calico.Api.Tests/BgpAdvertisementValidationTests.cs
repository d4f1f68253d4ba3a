namespace Calico.Api.Tests;

/// <summary>BGPConfiguration communities, prefixAdvertisements, service ranges and logSeverityScreen at the boundary
/// (upstream's validateBGPConfigurationSpec, its CRD schema and clientv3's default-only fields).</summary>
[Trait("Tier", "Unit")]
public sealed class BgpAdvertisementValidationTests
{
    private static BGPConfiguration Config(string yamlSpec, string name = "default") =>
        (BGPConfiguration)ResourceCodec.Decode($"""
            apiVersion: projectcalico.org/v3
            kind: BGPConfiguration
            metadata:
              name: {name}
            spec:
            {yamlSpec}
            """).Single();

    [Fact]
    public void Validate_CommunitiesNamedAndLiteral_Accepted()
    {
        var config = Config("""
              logSeverityScreen: Debug
              communities:
                - name: standard
                  value: "65535:65535"
                - name: large
                  value: "4294967295:0:4294967295"
              prefixAdvertisements:
                - cidr: 10.70.0.0/16
                  communities: [standard, large, "100:200", "1:2:3"]
              serviceClusterIPs: [{cidr: 10.96.0.0/12}]
              serviceExternalIPs: [{cidr: 203.0.113.0/24}, {cidr: 203.0.113.7/32}]
              serviceLoadBalancerIPs: [{cidr: "2001:db8::/64"}]
              serviceLoadBalancerAggregation: Disabled
            """);

        ResourceValidator.Validate(config);
    }

    [Theory]
    [InlineData("communities: [{name: c, value: \"65536:1\"}]\n  prefixAdvertisements: [{cidr: 10.0.0.0/8, communities: [c]}]", "65536:1")]
    [InlineData("communities: [{name: c, value: \"1:4294967296:1\"}]\n  prefixAdvertisements: [{cidr: 10.0.0.0/8, communities: [c]}]", "1:4294967296:1")]
    [InlineData("communities: [{name: c, value: \"1:2:3:4\"}]\n  prefixAdvertisements: [{cidr: 10.0.0.0/8, communities: [c]}]", "1:2:3:4")]
    [InlineData("prefixAdvertisements: [{cidr: 10.0.0.0/8, communities: [undefined-name]}]", "undefined-name")]
    [InlineData("prefixAdvertisements: [{cidr: 10.0.0.0/8, communities: [\"70000:1\"]}]", "70000:1")]
    [InlineData("prefixAdvertisements: [{cidr: 10.0.0.300/8, communities: [\"1:1\"]}]", "10.0.0.300/8")]
    [InlineData("serviceClusterIPs: [{cidr: 10.96.0.0/33}]", "10.96.0.0/33")]
    [InlineData("serviceExternalIPs: [{cidr: not-a-cidr}]", "not-a-cidr")]
    [InlineData("serviceLoadBalancerIPs: [{cidr: 10.1.2.3/40}]", "10.1.2.3/40")]
    [InlineData("serviceLoadBalancerAggregation: Sometimes", "Sometimes")]
    [InlineData("logSeverityScreen: Verbose", "Verbose")]
    public void Validate_BadAdvertisementSetting_ThrowsNamingTheValue(string spec, string badValue)
    {
        var e = Assert.Throws<ValidationException>(() => ResourceValidator.Validate(Config("  " + spec)));

        Assert.Contains(badValue, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CommunitiesWithoutPrefixAdvertisements_Throws()
    {
        var e = Assert.Throws<ValidationException>(() => ResourceValidator.Validate(Config("  communities: [{name: c, value: \"1:1\"}]")));

        Assert.Contains("communities are defined but not used in prefixAdvertisements", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("serviceClusterIPs", "ServiceClusterIPs")]
    [InlineData("serviceExternalIPs", "ServiceExternalIPs")]
    [InlineData("serviceLoadBalancerIPs", "ServiceLoadBalancerIPs")]
    public void Validate_ServiceRangesOnNodeConfig_ThrowsNamingField(string field, string goField)
    {
        var e = Assert.Throws<ValidationException>(() => ResourceValidator.Validate(Config($"  {field}: [{{cidr: 10.96.0.0/12}}]", "node.host1")));

        Assert.Contains(goField, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NodeConfigWithOwnCommunitiesAndLogLevel_Accepted()
    {
        ResourceValidator.Validate(Config("""
              logSeverityScreen: Info
              communities: [{name: mine, value: "50:50:5364"}]
              prefixAdvertisements: [{cidr: 192.168.0.0/16, communities: [mine, "5663:12"]}]
            """, "node.host1"));
    }
}
