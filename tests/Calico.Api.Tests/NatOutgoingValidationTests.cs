using Calico.Api.Support;

namespace Calico.Api.Tests;

/// <summary>FelixConfiguration's NAT outgoing options at the boundary: bad values refused naming field and value.</summary>
[Trait("Tier", "Unit")]
public sealed class NatOutgoingValidationTests
{
    private static FelixConfiguration Config(Action<FelixConfigurationSpec> edit)
    {
        var config = new FelixConfiguration { Metadata = { Name = "default" } };
        edit(config.Spec);
        return config;
    }

    public static TheoryData<string, FelixConfiguration> Valid => new()
    {
        { "address", Config(s => s.NatOutgoingAddress = "198.51.100.7") },
        { "range", Config(s => s.NatPortRange = Port.Range(1024, 65535)) },
        { "single port", Config(s => s.NatPortRange = Port.Single(40000)) },
        { "bpfPSNATPorts range", Config(s => s.BpfPSNATPorts = Port.Range(20000, 29999)) },
        { "exclusions", Config(s => s.NatOutgoingExclusions = "IPPoolsAndHostIPs") },
        { "exclusions default", Config(s => s.NatOutgoingExclusions = "IPPoolsOnly") },
        { "filter wildcard", Config(s => s.IptablesNATOutgoingInterfaceFilter = "eth+") },
        { "filter name", Config(s => s.IptablesNATOutgoingInterfaceFilter = "vlan.10") },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Validate_GoodNatOptions_Accepted(string scenario, FelixConfiguration config)
    {
        Assert.NotNull(scenario);
        ResourceValidator.Validate(config);
    }

    public static TheoryData<FelixConfiguration, string, string> Invalid => new()
    {
        { Config(s => s.NatOutgoingAddress = "fd00::1"), "NATOutgoingAddress", "fd00::1" },
        { Config(s => s.NatOutgoingAddress = "not-an-ip"), "NATOutgoingAddress", "not-an-ip" },
        { Config(s => s.NatPortRange = Port.Named("http")), "NATPortRange", "http" },
        { Config(s => s.NatPortRange = Port.Range(0, 100)), "NATPortRange", "0:100" },
        { Config(s => s.BpfPSNATPorts = Port.Named("http")), "BPFPSNATPorts", "http" },
        { Config(s => s.BpfPSNATPorts = Port.Range(0, 100)), "BPFPSNATPorts", "0:100" },
        { Config(s => s.NatOutgoingExclusions = "AllHosts"), "NATOutgoingExclusions", "AllHosts" },
        { Config(s => s.IptablesNATOutgoingInterfaceFilter = "eth@0"), "IptablesNATOutgoingInterfaceFilter", "eth@0" },
        { Config(s => s.IptablesNATOutgoingInterfaceFilter = "abcdefghijklmnop"), "IptablesNATOutgoingInterfaceFilter", "abcdefghijklmnop" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_BadNatOption_RefusedNamingFieldAndValue(FelixConfiguration config, string field, string value)
    {
        var error = Assert.Throws<ValidationException>(() => ResourceValidator.Validate(config));

        Assert.Contains(field, error.Message, StringComparison.Ordinal);
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PortRange_StringForms_ParseAsUpstreamNumorstring()
    {
        Assert.Equal(Port.Range(1024, 65535), Port.Parse("1024:65535"));
        Assert.False(Port.TryParse("2000:1000", out _, out string? error));
        Assert.Contains("greater than maximum", error, StringComparison.Ordinal);
    }

    [Fact]
    public void SupportMatrix_EveryNatOption_Acts()
    {
        var config = Config(s =>
        {
            s.NatOutgoingAddress = "198.51.100.7";
            s.NatPortRange = Port.Range(1024, 65535);
            s.NatOutgoingExclusions = "IPPoolsAndHostIPs";
            s.IptablesNATOutgoingInterfaceFilter = "eth+";
        });

        var findings = SupportMatrix.Check(config);

        Assert.DoesNotContain(findings, f => f.Status == SupportStatus.Refused);
        foreach (string path in new[] { "spec.natOutgoingAddress", "spec.natPortRange", "spec.natOutgoingExclusions", "spec.iptablesNATOutgoingInterfaceFilter" })
        {
            Assert.All(SupportMatrix.RowsFor(SupportMatrix.KindKey(ResourceKinds.FelixConfiguration), path), row => Assert.Equal(SupportStatus.Acts, row.Status));
            Assert.NotEmpty(SupportMatrix.RowsFor(SupportMatrix.KindKey(ResourceKinds.FelixConfiguration), path));
        }
    }
}
