using System.Net;
using Calico.Api;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules.Tests;

/// <summary>The NAT outgoing options' rules (the golden cases show whole tables) and their validation.</summary>
[Trait("Tier", "Unit")]
public sealed class NatOutgoingOptionsTests
{
    private static readonly NatInputs Pools = new(["10.0.0.0/16", "fd00:10::/64"], ["10.0.0.0/16", "fd00:10::/64"])
    {
        HostAddresses = ["192.168.0.11/24", "fd00:99::11"],
    };

    private static List<string> NatRules(NatOutgoingConfig options, NatInputs? nat = null)
    {
        NftTable table = NftablesRenderer.Build(new DataplaneState(), new RenderConfig { NatOutgoing = options }, nat ?? Pools);
        return table.Chains.Single(c => c.Name == "nat-POSTROUTING").Rules.Select(r => r.Text).ToList();
    }

    [Fact]
    public void Default_MasqueradesEachFamilyOnEveryInterface()
    {
        Assert.Equal(
            [
                "ip saddr @cali40masq-ipam-pools ip daddr != @cali40all-ipam-pools counter masquerade fully-random comment \"NAT outgoing\"",
                "ip6 saddr @cali60masq-ipam-pools ip6 daddr != @cali60all-ipam-pools counter masquerade fully-random comment \"NAT outgoing\"",
            ],
            NatRules(NatOutgoingConfig.Default));
    }

    [Fact]
    public void NatOutgoingAddress_SnatsIpv4Only_Ipv6KeepsMasquerade()
    {
        List<string> rules = NatRules(new NatOutgoingConfig { SnatAddress = IPAddress.Parse("198.51.100.7") });

        Assert.Equal(2, rules.Count);
        Assert.EndsWith("counter snat ip to 198.51.100.7 fully-random comment \"NAT outgoing\"", rules[0], StringComparison.Ordinal);
        Assert.EndsWith("counter masquerade fully-random comment \"NAT outgoing\"", rules[1], StringComparison.Ordinal);
    }

    [Fact]
    public void PortRange_TcpAndUdpGetPortsInTheRange_OthersThePlainNat()
    {
        List<string> rules = NatRules(new NatOutgoingConfig { PortRange = new PortRange(2000, 3000), SnatAddress = IPAddress.Parse("198.51.100.7") });

        Assert.Equal(6, rules.Count);
        Assert.Contains("meta l4proto tcp counter snat ip to 198.51.100.7:2000-3000 fully-random", rules[0], StringComparison.Ordinal);
        Assert.Contains("meta l4proto udp counter snat ip to 198.51.100.7:2000-3000 fully-random", rules[1], StringComparison.Ordinal);
        Assert.Contains("counter snat ip to 198.51.100.7 fully-random", rules[2], StringComparison.Ordinal);
        Assert.Contains("meta l4proto tcp counter masquerade to :2000-3000 fully-random", rules[3], StringComparison.Ordinal);
        Assert.Contains("meta l4proto udp counter masquerade to :2000-3000 fully-random", rules[4], StringComparison.Ordinal);
        Assert.Contains("ip6 daddr != @cali60all-ipam-pools counter masquerade fully-random", rules[5], StringComparison.Ordinal);
    }

    [Fact]
    public void ExcludeHostAddresses_HostSetsHoldEveryNodeAddressWithoutItsSubnet()
    {
        NftTable table = NftablesRenderer.Build(new DataplaneState(), new RenderConfig { NatOutgoing = new NatOutgoingConfig { ExcludeHostAddresses = true } }, Pools);

        Assert.Equal(["192.168.0.11"], table.SetsByName["cali40all-hosts-net"].Elements);
        Assert.Equal(["fd00:99::11"], table.SetsByName["cali60all-hosts-net"].Elements);
        Assert.All(NatRules(new NatOutgoingConfig { ExcludeHostAddresses = true }), r => Assert.Contains("daddr != @cali", r, StringComparison.Ordinal));
        Assert.Contains("ip daddr != @cali40all-hosts-net counter", NatRules(new NatOutgoingConfig { ExcludeHostAddresses = true })[0], StringComparison.Ordinal);
    }

    [Fact]
    public void IPPoolsOnly_NoHostSets()
    {
        NftTable table = NftablesRenderer.Build(new DataplaneState(), new RenderConfig(), Pools);

        Assert.DoesNotContain(table.Sets, s => s.Name.Contains("hosts", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("eth+", "oifname \"eth*\" counter")]
    [InlineData("eth0", "oifname \"eth0\" counter")]
    [InlineData("vlan.10", "oifname \"vlan.10\" counter")]
    public void InterfaceFilter_UpstreamPlusWildcardIsNftStar(string filter, string expected) =>
        Assert.All(NatRules(new NatOutgoingConfig { InterfaceFilter = filter }), r => Assert.Contains(expected, r, StringComparison.Ordinal));

    [Fact]
    public void InterfaceFilter_PlusAlone_MatchesEveryInterface() =>
        Assert.All(NatRules(new NatOutgoingConfig { InterfaceFilter = "+" }), r => Assert.DoesNotContain("oifname", r, StringComparison.Ordinal));

    public static TheoryData<NatOutgoingConfig, string> Bad => new()
    {
        { new NatOutgoingConfig { SnatAddress = IPAddress.Parse("fd00::7") }, "natOutgoingAddress = 'fd00::7'" },
        { new NatOutgoingConfig { PortRange = new PortRange(0, 100) }, "natPortRange = '0:100'" },
        { new NatOutgoingConfig { PortRange = new PortRange(200, 100) }, "natPortRange = '200:100'" },
        { new NatOutgoingConfig { InterfaceFilter = "eth@0" }, "iptablesNATOutgoingInterfaceFilter = 'eth@0'" },
        { new NatOutgoingConfig { InterfaceFilter = "a-very-long-interface" }, "iptablesNATOutgoingInterfaceFilter = 'a-very-long-interface'" },
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public void Validate_BadValue_RefusedNamingFieldAndValue(NatOutgoingConfig options, string expected)
    {
        ValidationException error = Assert.Throws<ValidationException>(() =>
            NftablesRenderer.Build(new DataplaneState(), new RenderConfig { NatOutgoing = options }, Pools));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoMasqueradePool_NoNatChainWhateverTheOptions()
    {
        NftTable table = NftablesRenderer.Build(new DataplaneState(),
            new RenderConfig { NatOutgoing = new NatOutgoingConfig { ExcludeHostAddresses = true, PortRange = new PortRange(1, 2) } },
            new NatInputs(["10.0.0.0/16"], []) { HostAddresses = ["192.168.0.1"] });

        Assert.DoesNotContain(table.Chains, c => c.Name == "nat-POSTROUTING");
        Assert.DoesNotContain(table.Sets, s => s.Name.Contains("hosts", StringComparison.Ordinal));
    }
}
