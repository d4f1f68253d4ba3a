using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules.Tests;

/// <summary>
/// The host endpoint kinds and modes as the renderer orders them: hooks and priorities (untracked before conntrack,
/// preDNAT before DNAT, then filter), the accept mark's life (cleared in raw, set by an untracked or preDNAT Allow,
/// honoured before host policy in filter), and the forward path's cost (only applyOnForward policy on it).
/// </summary>
[Trait("Tier", "Unit")]
public sealed class HostEndpointModesRenderTests
{
    private static readonly PolicyKey Normal = new("default", "GlobalNetworkPolicy", null, "normal");
    private static readonly PolicyKey Forward = new("default", "GlobalNetworkPolicy", null, "forward");
    private static readonly PolicyKey PreDnat = new("default", "GlobalNetworkPolicy", null, "prednat");
    private static readonly PolicyKey Untracked = new("default", "GlobalNetworkPolicy", null, "untracked");

    private static NftTable Build(bool allInterfaces, int extraNormalPolicies = 0)
    {
        var state = new DataplaneState();
        var allow = new PolicyIntent([new RuleModel { Action = RuleAction.Allow, Protocol = 6, DstPorts = [new PortRange(80, 80)] }], [new RuleModel { Action = RuleAction.Allow }]);
        foreach (PolicyKey key in new[] { Normal, Forward, PreDnat, Untracked })
        {
            state.Apply(new ActivePolicyUpdate(key, allow));
        }

        var normalPolicies = new List<PolicyKey> { Normal, Forward };
        for (int i = 0; i < extraNormalPolicies; i++)
        {
            var key = new PolicyKey("default", "GlobalNetworkPolicy", null, "host-" + i);
            state.Apply(new ActivePolicyUpdate(key, new PolicyIntent([new RuleModel { Action = RuleAction.Allow, Protocol = 6, DstPorts = [new PortRange(1000 + i, 1000 + i)], Index = 0 }], [])));
            normalPolicies.Add(key);
        }

        string iface = allInterfaces ? "*" : "eth0";
        state.Apply(new EndpointUpdate(StateBuilder.HostEndpoint(iface, [new TierIntent("default", RuleAction.Deny, normalPolicies, normalPolicies)]) with
        {
            ForwardTiers = [new TierIntent("default", RuleAction.Deny, [Forward], [Forward])],
            PreDnatTiers = [new TierIntent("default", RuleAction.Pass, [PreDnat], [])],
            UntrackedTiers = [new TierIntent("default", RuleAction.Pass, [Untracked], [Untracked])],
        }));
        return NftablesRenderer.Build(state, new RenderConfig(), NatInputs.None);
    }

    private static NftChain Chain(NftTable table, string name) => table.Chains.Single(c => c.Name == name);

    [Fact]
    public void Hooks_and_priorities_put_untracked_before_conntrack_and_preDnat_before_dnat()
    {
        NftTable table = Build(allInterfaces: false);

        Assert.Equal("type filter hook prerouting priority raw; policy accept;", Chain(table, "raw-PREROUTING").Header!.Text);
        Assert.Equal("type filter hook output priority raw; policy accept;", Chain(table, "raw-OUTPUT").Header!.Text);
        NftChainHeader mangle = Chain(table, "mangle-PREROUTING").Header!;
        Assert.Equal(-150, mangle.Priority.Value);
        Assert.True(NftPriority.Raw.Value < -200 && mangle.Priority.Value > -200 && mangle.Priority.Value < -100, "raw < conntrack < mangle < dstnat");
    }

    [Fact]
    public void Raw_clears_the_marks_first_and_turns_an_untracked_allow_into_notrack()
    {
        NftTable table = Build(allInterfaces: false);
        NftChain raw = Chain(table, "raw-PREROUTING");

        Assert.Equal("counter meta mark set meta mark & 0xfffcffff", raw.Rules[0].Text);
        Assert.Equal("iifname vmap @cali-from-hep-notrack", raw.Rules[^2].Text);
        Assert.StartsWith("meta mark & 0x00010000 == 0x00010000 counter notrack accept", raw.Rules[^1].Text, StringComparison.Ordinal);
        Assert.Contains(table.Maps.Single(m => m.Name == "cali-from-hep-notrack").Elements, e => e == "\"eth0\" : jump cali-fhnt-eth0");

        // The untracked chain's failsafe also lets replies through by source port; no end-of-tier drop, no profile drop.
        Assert.Contains(Chain(table, "cali-failsafe-in-raw").Rules, r => r.Text.Contains("th sport", StringComparison.Ordinal));
        Assert.DoesNotContain(Chain(table, "cali-fhnt-eth0").Rules, r => r.Text.Contains("drop", StringComparison.Ordinal));
        Assert.Equal("counter jump cali-failsafe-in-raw", Chain(table, "cali-fhnt-eth0").Rules[1].Text);
    }

    [Fact]
    public void Filter_honours_the_accept_mark_before_host_policy_and_forward_keeps_it_for_workload_policy()
    {
        NftTable table = Build(allInterfaces: false);

        List<string> input = Chain(table, "filter-INPUT").Rules.Select(r => r.Text).ToList();
        int accepted = input.FindIndex(t => t.StartsWith("meta mark & 0x00010000 == 0x00010000 counter accept", StringComparison.Ordinal));
        Assert.True(accepted > input.FindIndex(t => t.Contains("goto cali-wl-to-host", StringComparison.Ordinal)));
        Assert.True(accepted < input.IndexOf("iifname vmap @cali-from-hep-dispatch"));

        List<string> forward = Chain(table, "filter-FORWARD").Rules.Select(r => r.Text).ToList();
        Assert.Contains("counter meta mark set meta mark & 0xfffdffff", forward);
        Assert.DoesNotContain("counter meta mark set meta mark & 0xfffcffff", forward);
        int fromHep = forward.IndexOf("meta mark & 0x00010000 == 0x00000000 counter jump cali-from-hep-fwd-dispatch");
        Assert.True(fromHep >= 0 && fromHep < forward.IndexOf("iifname \"cali*\" counter jump cali-from-wl-dispatch"));
        Assert.True(forward.IndexOf("oifname \"cali*\" counter jump cali-to-wl-dispatch") < forward.IndexOf("counter jump cali-to-hep-fwd-dispatch"));

        // preDNAT: no end-of-tier drop, failsafe inbound first.
        NftChain preDnat = Chain(table, "cali-fhpd-eth0");
        Assert.Equal("counter jump cali-failsafe-in", preDnat.Rules[1].Text);
        Assert.DoesNotContain(preDnat.Rules, r => r.Text.Contains("drop", StringComparison.Ordinal));
    }

    [Fact]
    public void Forward_path_walks_only_apply_on_forward_policy()
    {
        NftTable table = Build(allInterfaces: true, extraNormalPolicies: 1000);

        NftChain forward = Chain(table, "cali-fhfw-any-iface-at-all");
        Assert.True(forward.Rules.Count <= 6, string.Join('\n', forward.Rules.Select(r => r.Text)));
        Assert.True(Chain(table, "cali-fh-any-interface-at-all").Rules.Count >= 3);
        Assert.Contains("goto cali-fhfw-any-iface-at-all", Chain(table, "cali-from-hep-fwd-dispatch").Rules[^1].Text, StringComparison.Ordinal);

        // doNotTrack on the all-interfaces endpoint is ignored, as upstream.
        Assert.DoesNotContain(table.Chains, c => c.Name.StartsWith("cali-fhnt-", StringComparison.Ordinal));
        Assert.DoesNotContain(table.Maps, m => m.Name == "cali-from-hep-notrack");
        Assert.Equal(["counter meta mark set meta mark & 0xfffcffff"], Chain(table, "raw-OUTPUT").Rules.Select(r => r.Text));
    }

    [Fact]
    public void Forward_chain_without_apply_on_forward_policy_allows()
    {
        var state = new DataplaneState();
        state.Apply(new EndpointUpdate(StateBuilder.HostEndpoint("eth0", [])));

        NftTable table = NftablesRenderer.Build(state, new RenderConfig(), NatInputs.None);

        Assert.StartsWith("counter meta mark set meta mark | 0x00010000 return", Chain(table, "cali-fhfw-eth0").Rules[^1].Text, StringComparison.Ordinal);
        Assert.StartsWith("counter meta mark set meta mark | 0x00010000 return", Chain(table, "cali-thfw-eth0").Rules[^1].Text, StringComparison.Ordinal);
        Assert.DoesNotContain(table.Chains, c => c.Name == "mangle-PREROUTING");
    }
}
