using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules.Tests;

/// <summary>Unit tests: upstream's IP-in-IP rules (felix/rules/static.go) in filter-INPUT and filter-OUTPUT.</summary>
[Trait("Tier", "Unit")]
public sealed class IpipRulesTests
{
    private static readonly NatInputs IpipPool = new(["10.70.0.0/16"], []) { HostAddresses = ["192.0.2.1/24", "192.0.2.2", "fd00:99::1"], IpipPoolCidrs = ["10.70.0.0/16"] };

    [Fact]
    public void IpipPool_InputAcceptsProtocol4FromHostsOnlyFirst_OutputAcceptsItToHosts()
    {
        NftTable table = NftablesRenderer.Build(new DataplaneState(), new RenderConfig(), IpipPool);

        List<string> input = Rules(table, "filter-INPUT");
        Assert.Equal("meta nfproto ipv4 meta l4proto 4 ip saddr @cali40all-hosts-net counter accept comment \"Allow IPIP packets from Calico hosts\"", input[0]);
        Assert.Equal("meta nfproto ipv4 meta l4proto 4 counter drop comment \"Drop IPIP packets from non-Calico hosts\"", input[1]);
        Assert.Contains("meta nfproto ipv4 meta l4proto 4 ip daddr @cali40all-hosts-net counter accept comment \"Allow IPIP packets to other Calico hosts\"", Rules(table, "filter-OUTPUT"));
        NftSet hosts = table.Sets.Single(s => s.Name == "cali40all-hosts-net");
        Assert.Equal(["192.0.2.1", "192.0.2.2"], hosts.Elements);
    }

    [Fact]
    public void ExternalNodes_AcceptedBeforeTheDrop()
    {
        NftTable table = NftablesRenderer.Build(new DataplaneState(), new RenderConfig { ExternalNodesCidrs = ["198.51.100.0/24", "2001:db8::/64"] }, IpipPool);

        List<string> input = Rules(table, "filter-INPUT");
        Assert.Equal("meta nfproto ipv4 meta l4proto 4 ip saddr 198.51.100.0/24 counter accept comment \"Allow IPIP packets from external nodes\"", input[1]);
        Assert.StartsWith("meta nfproto ipv4 meta l4proto 4 counter drop", input[2], StringComparison.Ordinal);
    }

    [Fact]
    public void NoIpipPool_NoRulesAndNoHostSet_UnlessFelixConfigurationForcesIt()
    {
        var noIpip = new NatInputs(["10.66.0.0/16"], []) { HostAddresses = ["192.0.2.1"] };

        NftTable off = NftablesRenderer.Build(new DataplaneState(), new RenderConfig(), noIpip);
        NftTable forcedOff = NftablesRenderer.Build(new DataplaneState(), new RenderConfig { IpipEnabled = false }, IpipPool);
        NftTable forcedOn = NftablesRenderer.Build(new DataplaneState(), new RenderConfig { IpipEnabled = true }, noIpip);

        Assert.DoesNotContain(Rules(off, "filter-INPUT"), r => r.Contains("l4proto 4", StringComparison.Ordinal));
        Assert.DoesNotContain(off.Sets, s => s.Name == "cali40all-hosts-net");
        Assert.DoesNotContain(Rules(forcedOff, "filter-INPUT"), r => r.Contains("l4proto 4", StringComparison.Ordinal));
        Assert.StartsWith("meta nfproto ipv4 meta l4proto 4 ip saddr @cali40all-hosts-net", Rules(forcedOn, "filter-INPUT")[0], StringComparison.Ordinal);
    }

    [Fact]
    public void NatExclusionAndIpip_OneHostSet()
    {
        var both = IpipPool with { MasqueradePoolCidrs = ["10.70.0.0/16"] };

        NftTable table = NftablesRenderer.Build(new DataplaneState(), new RenderConfig { NatOutgoing = new NatOutgoingConfig { ExcludeHostAddresses = true } }, both);

        Assert.Single(table.Sets, s => s.Name == "cali40all-hosts-net");
    }

    private static List<string> Rules(NftTable table, string chain) => table.Chains.Single(c => c.Name == chain).Rules.Select(r => r.Text).ToList();
}
