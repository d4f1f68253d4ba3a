using System.Net;
using Calico.Api;
using Calico.Felix.Calc.Model;
using Calico.Felix.Config;
using Calico.Felix.Rules;
using Calico.Node.Startup;

namespace Calico.Node.Tests;

/// <summary>FelixConfiguration's NAT outgoing options (datastore and FELIX_* environment) reach the renderer's configuration.</summary>
[Trait("Tier", "Unit")]
public sealed class NatOutgoingSettingsTests
{
    private static NatOutgoingConfig Mapped(Action<FelixConfigurationSpec> edit, IEnumerable<KeyValuePair<string, string>>? environment = null)
    {
        var global = new FelixConfiguration { Metadata = { Name = "default" } };
        edit(global.Spec);
        FelixConfig config = FelixConfigLoader.Load(environment ?? [], null, global, null, [], new Dictionary<string, string>()).Config;
        return FelixSettings.ToRenderConfig(config).NatOutgoing;
    }

    [Fact]
    public void Unset_IsPlainMasquerade() => Assert.Equal(NatOutgoingConfig.Default, Mapped(_ => { }));

    [Fact]
    public void EveryOption_Mapped()
    {
        NatOutgoingConfig nat = Mapped(s =>
        {
            s.NatOutgoingAddress = "198.51.100.7";
            s.NatPortRange = Port.Range(2000, 3000);
            s.NatOutgoingExclusions = "IPPoolsAndHostIPs";
            s.IptablesNATOutgoingInterfaceFilter = "eth+";
        });

        Assert.Equal(IPAddress.Parse("198.51.100.7"), nat.SnatAddress);
        Assert.Equal(new PortRange(2000, 3000), nat.PortRange);
        Assert.True(nat.ExcludeHostAddresses);
        Assert.Equal("eth+", nat.InterfaceFilter);
    }

    [Theory]
    [InlineData("IPPoolsOnly", false)]
    [InlineData("IPPoolsAndHostIPs", true)]
    public void Exclusions_HostIpsOnlyWithIPPoolsAndHostIPs(string value, bool excluded) =>
        Assert.Equal(excluded, Mapped(s => s.NatOutgoingExclusions = value).ExcludeHostAddresses);

    [Fact]
    public void BpfPsnatPorts_UpstreamsDefault_OrTheRangeGiven()
    {
        Assert.Equal(new PortRange(20000, 29999), Mapped(_ => { }).BpfPsnatPorts);
        Assert.Equal(new PortRange(30000, 30999), Mapped(s => s.BpfPSNATPorts = Port.Range(30000, 30999)).BpfPsnatPorts);
        Assert.Equal(new PortRange(5000, 5999), Mapped(_ => { }, [new("FELIX_BPFPSNATPORTS", "5000:5999")]).BpfPsnatPorts);
    }

    [Fact]
    public void SinglePort_IsARangeOfOne() => Assert.Equal(new PortRange(40000, 40000), Mapped(s => s.NatPortRange = Port.Single(40000)).PortRange);

    [Fact]
    public void PortZero_MeansNoRange_AsUpstream() => Assert.Null(Mapped(s => s.NatPortRange = Port.Single(0)).PortRange);

    [Fact]
    public void Environment_OverridesTheDatastore()
    {
        NatOutgoingConfig nat = Mapped(
            s => s.NatOutgoingAddress = "198.51.100.7",
            [new("FELIX_NATOUTGOINGADDRESS", "203.0.113.9"), new("FELIX_NATPORTRANGE", "1024:2047"), new("FELIX_IPTABLESNATOUTGOINGINTERFACEFILTER", "ens3")]);

        Assert.Equal(IPAddress.Parse("203.0.113.9"), nat.SnatAddress);
        Assert.Equal(new PortRange(1024, 2047), nat.PortRange);
        Assert.Equal("ens3", nat.InterfaceFilter);
    }

    [Fact]
    public void BadEnvironmentValues_FallBackToTheDefault()
    {
        NatOutgoingConfig nat = Mapped(_ => { }, [new("FELIX_NATOUTGOINGADDRESS", "fd00::1"), new("FELIX_NATPORTRANGE", "http")]);

        Assert.Null(nat.SnatAddress);
        Assert.Null(nat.PortRange);
    }
}
