using Calico.Api;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules.Tests;

[Trait("Tier", "Unit")]
public sealed class ModelTests
{
    [Theory]
    [InlineData(new[] { "10.0.0.1", "10.0.0.2" }, new[] { "10.0.0.1", "10.0.0.2" })]
    [InlineData(new[] { "10.0.0.1", "10.0.0.0/24", "10.0.1.0/24" }, new[] { "10.0.0.0/24", "10.0.1.0/24" })]
    [InlineData(new[] { "10.1.2.0/24", "10.0.0.0/8", "11.0.0.1" }, new[] { "10.0.0.0/8", "11.0.0.1" })]
    [InlineData(new[] { "0.0.0.0/0", "10.0.0.1" }, new[] { "0.0.0.0/0" })]
    [InlineData(new[] { "fd00::1", "fd00::/64", "fd01::1" }, new[] { "fd00::/64", "fd01::1" })]
    [InlineData(new[] { "10.0.0.0/25", "10.0.0.128/25" }, new[] { "10.0.0.0/25", "10.0.0.128/25" })]
    public void Collapse_ContainedMembers_AreDroppedOthersKept(string[] members, string[] expected)
    {
        Assert.Equal(expected, CidrCollapse.Collapse(members));
    }

    [Fact]
    public void Build_NetSetWithCoveredMember_ElementsAreDisjointAndSorted()
    {
        var state = new DataplaneState();
        state.Apply(new IpSetUpdate("s:x", IpSetType.Net, ["10.0.0.2/32", "10.0.0.0/24", "10.1.0.1", "fd00::1/128"]));

        NftTable table = NftablesRenderer.Build(state, new RenderConfig(), NatInputs.None);

        NftSet v4 = table.Sets.Single(s => s.Name == "cali40s_x");
        Assert.Equal(["10.0.0.0/24", "10.1.0.1"], v4.Elements);
        Assert.Equal(["type ipv4_addr", "flags interval"], v4.Declaration);
        Assert.Equal(["fd00::1"], table.Sets.Single(s => s.Name == "cali60s_x").Elements);
    }

    [Fact]
    public void Render_IsBuildWithoutNat()
    {
        DataplaneState state = GoldenCases.TiersAndRules();

        Assert.Equal(NftablesRenderer.Build(state, new RenderConfig(), NatInputs.None).ToFullTransaction(), NftablesRenderer.Render(state, new RenderConfig()));
    }

    [Fact]
    public void Build_NoMasqueradePool_HasPoolSetsButNoNatChain()
    {
        NftTable table = NftablesRenderer.Build(new DataplaneState(), new RenderConfig(), new NatInputs(["10.0.0.0/16"], []));

        Assert.Contains(table.Sets, s => s.Name == "cali40all-ipam-pools");
        Assert.DoesNotContain(table.Chains, c => c.Name == "nat-POSTROUTING");
    }

    [Fact]
    public void Build_MasqueradePoolsOfBothFamilies_OneRulePerFamily()
    {
        NftTable table = NftablesRenderer.Build(new DataplaneState(), new RenderConfig(), new NatInputs([], ["10.0.0.0/16", "fd00::/64"]));

        NftChain nat = table.Chains.Single(c => c.Name == "nat-POSTROUTING");
        Assert.Equal(
            [
                "ip saddr @cali40masq-ipam-pools ip daddr != @cali40all-ipam-pools counter masquerade fully-random comment \"NAT outgoing\"",
                "ip6 saddr @cali60masq-ipam-pools ip6 daddr != @cali60all-ipam-pools counter masquerade fully-random comment \"NAT outgoing\"",
            ],
            nat.Rules.Select(r => r.Text));
        Assert.Equal(["10.0.0.0/16"], table.Sets.Single(s => s.Name == "cali40all-ipam-pools").Elements);
    }

    [Fact]
    public void Build_WorkloadPrefixedHostEndpoint_IsNotRendered()
    {
        var state = new DataplaneState();
        state.Apply(new EndpointUpdate(StateBuilder.HostEndpoint("cali0", [])));

        NftTable table = NftablesRenderer.Build(state, new RenderConfig(), NatInputs.None);

        Assert.DoesNotContain(table.Maps, m => m.Name == "cali-from-hep-dispatch");
        Assert.DoesNotContain(table.Chains, c => c.Name == "cali-failsafe-in");
    }

    [Fact]
    public void Build_AllInterfacesHostEndpoint_IsTheDefaultOfTheFilterAndForwardDispatch()
    {
        var state = new DataplaneState();
        state.Apply(new EndpointUpdate(StateBuilder.HostEndpoint("*", [])));

        NftTable table = NftablesRenderer.Build(state, new RenderConfig(), NatInputs.None);

        Assert.Contains("goto cali-fh-any-interface-at-all", table.Chains.Single(c => c.Name == "filter-INPUT").Rules[^1].Text, StringComparison.Ordinal);
        Assert.Contains("goto cali-th-any-interface-at-all", table.Chains.Single(c => c.Name == "filter-OUTPUT").Rules[^1].Text, StringComparison.Ordinal);
        Assert.Contains("goto cali-fhfw-any-iface-at-all", table.Chains.Single(c => c.Name == "cali-from-hep-fwd-dispatch").Rules[^1].Text, StringComparison.Ordinal);
        Assert.Empty(table.Maps.Single(m => m.Name == "cali-from-hep-dispatch").Elements);
        Assert.All(table.Chains, c => Assert.True(c.Name.Length <= 28, c.Name));
    }

    [Fact]
    public void RenderConfig_DefaultFailsafes_AreUpstreams()
    {
        var config = new RenderConfig();

        Assert.Equal("tcp:22 udp:68 tcp:179 tcp:2379 tcp:2380 tcp:5473 tcp:6443 tcp:6666 tcp:6667", string.Join(' ', config.FailsafeInboundHostPorts.Select(p => p.Protocol + ":" + p.Port)));
        Assert.Equal("udp:53 udp:67 tcp:179 tcp:2379 tcp:2380 tcp:5473 tcp:6443 tcp:6666 tcp:6667", string.Join(' ', config.FailsafeOutboundHostPorts.Select(p => p.Protocol + ":" + p.Port)));
    }

    [Theory]
    [InlineData("icmp", 1, null, "FailsafeInboundHostPorts[0].protocol")]
    [InlineData("tcp", 0, null, "FailsafeInboundHostPorts[0].port")]
    [InlineData("tcp", 70000, null, "FailsafeInboundHostPorts[0].port")]
    [InlineData("tcp", 22, "10.0.0.0/33", "FailsafeInboundHostPorts[0].net")]
    public void RenderConfig_BadFailsafe_ThrowsNamingField(string protocol, int port, string? net, string field)
    {
        var config = new RenderConfig { FailsafeInboundHostPorts = [new HostPort(protocol, port, net)] };

        var error = Assert.Throws<ValidationException>(config.Validate);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseRuleCountersByChain_CapturedNftJson_SumsPerChain()
    {
        string json = File.ReadAllText(Golden.PathOf("counters", "list.json"));

        IReadOnlyDictionary<string, (long Packets, long Bytes)> counters = NftCounters.ParseRuleCountersByChain(json);

        Assert.Equal((5L, 420L), counters["filter-INPUT"]);
        Assert.Equal((5L, 420L), counters["filter-OUTPUT"]);
        Assert.Equal((0L, 0L), counters["cali-pi-PHloCMwbpsRPl0gNi2IX"]);
        Assert.Equal(18, counters.Count);
    }

    [Fact]
    public void PolicyChainName_IsTheChainTheTableUses()
    {
        NftTable table = NftablesRenderer.Build(GoldenCases.TiersAndRules(), new RenderConfig(), NatInputs.None);

        Assert.Contains(table.Chains, c => c.Name == NftablesRenderer.PolicyChainName(GoldenCases.WebPolicy, inbound: true));
        Assert.Contains(table.Chains, c => c.Name == NftablesRenderer.PolicyChainName(GoldenCases.WebPolicy, inbound: false));
    }
}
