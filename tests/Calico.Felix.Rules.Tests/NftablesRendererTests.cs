using Calico.Api;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules.Tests;

[Trait("Tier", "Unit")]
public sealed class NftablesRendererTests
{
    [Fact]
    public void Render_SameStateBuiltInOtherOrder_IsByteEqual()
    {
        DataplaneState forward = GoldenCases.TiersAndRules();
        var reversed = new DataplaneState();
        var endpoints = new List<EndpointIntent>(forward.Endpoints.Values);
        endpoints.Reverse();
        var ipSets = new List<string>(forward.IpSets.Keys);
        ipSets.Reverse();
        foreach (string id in ipSets)
        {
            var (type, members) = forward.IpSets[id];
            var list = new List<string>(members);
            list.Reverse();
            reversed.Apply(new IpSetUpdate(id, type, list));
        }

        var policies = new List<PolicyKey>(forward.Policies.Keys);
        policies.Reverse();
        foreach (PolicyKey key in policies)
        {
            reversed.Apply(new ActivePolicyUpdate(key, forward.Policies[key]));
        }

        foreach (var (id, profile) in forward.Profiles)
        {
            reversed.Apply(new ActiveProfileUpdate(id, profile));
        }

        foreach (EndpointIntent endpoint in endpoints)
        {
            reversed.Apply(new EndpointUpdate(endpoint));
        }

        Assert.Equal(NftablesRenderer.Render(forward, new RenderConfig()), NftablesRenderer.Render(reversed, new RenderConfig()));
    }

    [Fact]
    public void Render_AnyState_ReplacesTableInOneTransaction()
    {
        string text = NftablesRenderer.Render(new DataplaneState(), new RenderConfig());

        Assert.StartsWith("table inet calico\ndelete table inet calico\ntable inet calico {\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ChainNames_AreAtMost28Characters()
    {
        string text = NftablesRenderer.Render(GoldenCases.TiersAndRules(), new RenderConfig());

        foreach (string line in text.Split('\n'))
        {
            string trimmed = line.Trim();
            if (trimmed.StartsWith("chain ", StringComparison.Ordinal))
            {
                string name = trimmed["chain ".Length..^2];
                Assert.True(name.Length <= 28, name);
            }
        }
    }

    [Fact]
    public void PolicyChain_SameKey_IsStableAndDirectional()
    {
        var key = new PolicyKey("default", "NetworkPolicy", "prod", "web");

        Assert.Equal(NftNames.PolicyChain(key, inbound: true), NftNames.PolicyChain(key with { }, inbound: true));
        Assert.StartsWith("cali-pi-", NftNames.PolicyChain(key, inbound: true), StringComparison.Ordinal);
        Assert.StartsWith("cali-po-", NftNames.PolicyChain(key, inbound: false), StringComparison.Ordinal);
        Assert.NotEqual(NftNames.PolicyChain(key, true)[8..], NftNames.PolicyChain(key with { Namespace = "dev" }, true)[8..]);
    }

    [Theory]
    [InlineData("10.0.0.1/24", 4, "10.0.0.0/24")]
    [InlineData("10.0.0.1/32", 4, "10.0.0.1")]
    [InlineData("10.0.0.1", 4, "10.0.0.1")]
    [InlineData("0.0.0.0/0", 4, "0.0.0.0/0")]
    [InlineData("fd00::1/64", 6, "fd00::/64")]
    [InlineData("fd00::1/128", 6, "fd00::1")]
    [InlineData("10.255.255.255/9", 4, "10.128.0.0/9")]
    public void CidrNormalize_Valid_ClearsHostBits(string input, int family, string expected)
    {
        Assert.Equal((family, expected), Cidr.Normalize(input));
    }

    [Theory]
    [InlineData("10.0.0.1/33")]
    [InlineData("nonsense")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("fe80::1%eth0/64")]
    public void CidrNormalize_Invalid_Throws(string input)
    {
        Assert.Throws<ValidationException>(() => Cidr.Normalize(input));
    }

    [Theory]
    [InlineData("", 0x10000u, 0x20000u, "calico-packet")]
    [InlineData("cali", 0x10000u, 0x10000u, "calico-packet")]
    [InlineData("cali", 0x30000u, 0x40000u, "calico-packet")]
    [InlineData("cali", 0x1u, 0x20000u, "calico-packet")]
    [InlineData("cali", 0x10000u, 0x20000u, "bad\"prefix")]
    [InlineData("ca li", 0x10000u, 0x20000u, "calico-packet")]
    public void Render_BadConfig_ThrowsValidation(string prefix, uint accept, uint pass, string logPrefix)
    {
        var config = new RenderConfig { InterfacePrefix = prefix, AcceptMark = accept, PassMark = pass, LogPrefix = logPrefix };

        Assert.Throws<ValidationException>(() => NftablesRenderer.Render(new DataplaneState(), config));
    }

    [Fact]
    public void Render_RuleWithOnlyOtherFamilyNets_IsSkippedForThatFamily()
    {
        string text = RenderSingleRule(new RuleModel { Action = RuleAction.Deny, SrcNets = ["fd00::/8"] });

        Assert.Contains("meta nfproto ipv6 ip6 saddr { fd00::/8 } counter drop", text, StringComparison.Ordinal);
        // The source check in raw-PREROUTING is the only IPv4 rule.
        Assert.DoesNotContain(text.Split('\n'), l => l.Contains("meta nfproto ipv4", StringComparison.Ordinal) && !l.Contains("fib saddr", StringComparison.Ordinal));
    }

    [Fact]
    public void Render_NumericAndNamedPorts_OneNftRulePerAlternative()
    {
        var state = new DataplaneState();
        state.Apply(new IpSetUpdate("n:a", IpSetType.IpPort, ["10.0.0.1,tcp:80"]));
        string text = RenderSingleRule(new RuleModel { Action = RuleAction.Allow, Protocol = 6, DstPorts = [new PortRange(443, 443)], DstNamedPortIpSetIds = ["n:a"] }, state);

        Assert.Contains("meta nfproto ipv4 meta l4proto tcp th dport { 443 } counter", text, StringComparison.Ordinal);
        Assert.Contains("meta nfproto ipv4 meta l4proto tcp ip daddr . meta l4proto . th dport @cali40n_a counter", text, StringComparison.Ordinal);
        Assert.Contains("meta nfproto ipv6 meta l4proto tcp ip6 daddr . meta l4proto . th dport @cali60n_a counter", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_RuleReferencingUnknownIpSet_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => RenderSingleRule(new RuleModel { Action = RuleAction.Allow, SrcIpSetIds = ["s:nope"] }));
    }

    [Fact]
    public void Render_IcmpTypeWithoutIcmpProtocol_ThrowsValidation()
    {
        Assert.Throws<ValidationException>(() => RenderSingleRule(new RuleModel { Action = RuleAction.Allow, IcmpType = 8 }));
    }

    [Theory]
    [InlineData(EndpointToHostAction.Drop, "counter drop comment \"Configured DefaultEndpointToHostAction\"")]
    [InlineData(EndpointToHostAction.Accept, "counter accept comment \"Configured DefaultEndpointToHostAction\"")]
    [InlineData(EndpointToHostAction.Return, "counter return comment \"Configured DefaultEndpointToHostAction\"")]
    public void Render_EndpointToHostAction_EndsWorkloadToHostChain(EndpointToHostAction action, string expected)
    {
        string text = NftablesRenderer.Render(new DataplaneState(), new RenderConfig { DefaultEndpointToHostAction = action });

        Assert.Contains(expected, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_HostEndpointOrUnsafeInterface_IsNotInWorkloadDispatch()
    {
        var state = new DataplaneState();
        state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(true, null, "eth0"), "eth0", [], [], [], [])));
        state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(false, "ns", "bad"), "cali\"x", [], [], [], [])));

        NftTable table = NftablesRenderer.Build(state, new RenderConfig(), NatInputs.None);

        Assert.Empty(table.Maps.Single(m => m.Name == "cali-from-wl-dispatch").Elements);
        Assert.Empty(table.Maps.Single(m => m.Name == "cali-to-wl-dispatch").Elements);
        Assert.Equal(["\"eth0\" : goto cali-fh-eth0"], table.Maps.Single(m => m.Name == "cali-from-hep-dispatch").Elements);
    }

    private static string RenderSingleRule(RuleModel rule, DataplaneState? state = null)
    {
        state ??= new DataplaneState();
        state.Apply(new ActivePolicyUpdate(new PolicyKey("default", "GlobalNetworkPolicy", null, "p"), new PolicyIntent([rule], [])));
        return NftablesRenderer.Render(state, new RenderConfig());
    }

    [Fact]
    public void Build_AnyState_ChecksWorkloadSourcesBeforeConntrackInBothFamilies()
    {
        NftTable table = NftablesRenderer.Build(new DataplaneState(), new RenderConfig { InterfacePrefix = "tap" }, NatInputs.None);

        NftChain raw = Assert.Single(table.Chains, c => c.Name == "raw-PREROUTING");
        Assert.Equal("type filter hook prerouting priority raw; policy accept;", raw.Header?.Text);
        Assert.Collection(
            raw.Rules,
            r => Assert.StartsWith("iifname \"tap*\" meta nfproto ipv4 fib saddr . iif oif missing counter drop", r.Text, StringComparison.Ordinal),
            r => Assert.StartsWith("iifname \"tap*\" ip6 saddr != :: fib saddr . iif oif missing counter drop", r.Text, StringComparison.Ordinal));
    }

    [Fact]
    public void Build_SpoofedSourcePrefixesWithoutWorkloadSourceSpoofing_Ignored()
    {
        DataplaneState state = GoldenCases.SpoofedSourcePrefixes();

        NftTable off = NftablesRenderer.Build(state, new RenderConfig(), NatInputs.None);
        NftTable on = NftablesRenderer.Build(state, new RenderConfig { AllowWorkloadSourceSpoofing = true }, NatInputs.None);

        Assert.Equal(2, off.Chains.Single(c => c.Name == "raw-PREROUTING").Rules.Count);
        Assert.Equal(5, on.Chains.Single(c => c.Name == "raw-PREROUTING").Rules.Count);
    }
}
