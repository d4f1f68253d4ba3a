using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules.Tests;

/// <summary>A cached build must always equal an uncached one, whatever changed in between.</summary>
public sealed class RenderCacheTests
{
    [Fact]
    public void Cached_builds_equal_fresh_builds_through_set_policy_and_config_changes()
    {
        var state = new DataplaneState();
        var config = new RenderConfig();
        var cache = new RenderCache();
        var policyA = new PolicyKey("default", "GlobalNetworkPolicy", null, "a");
        var policyB = new PolicyKey("default", "GlobalNetworkPolicy", null, "b");
        var steps = new List<Action>
        {
            () => state.Apply(new IpSetUpdate("s:x", IpSetType.Net, ["10.0.0.1/32", "10.0.0.2/32"])),
            () => state.Apply(new ActivePolicyUpdate(policyA, new PolicyIntent([new RuleModel { Action = RuleAction.Allow, SrcIpSetIds = ["s:x"] }], []))),
            () => state.Apply(new ActivePolicyUpdate(policyB, new PolicyIntent([new RuleModel { Action = RuleAction.Deny, Protocol = 6 }], []))),
            () => state.Apply(new IpSetDeltaUpdate("s:x", ["10.0.0.3/32"], ["10.0.0.1/32"])),
            () => state.Apply(new ActivePolicyUpdate(policyA, new PolicyIntent([new RuleModel { Action = RuleAction.Deny, SrcIpSetIds = ["s:x"] }], []))),
            () => config = config with { DefaultEndpointToHostAction = EndpointToHostAction.Accept, AcceptMark = 0x40000 },
            () => state.Apply(new ActivePolicyRemove(policyB)),
            // The graph's ordering contract: a set goes only after the last policy using it.
            () => state.Apply([new ActivePolicyRemove(policyA), new IpSetRemove("s:x")]),
            () => state.Apply([new IpSetUpdate("s:x", IpSetType.Net, ["10.9.0.0/16"]), new ActivePolicyUpdate(policyA, new PolicyIntent([new RuleModel { Action = RuleAction.Allow, DstIpSetIds = ["s:x"] }], []))]),
        };

        foreach (Action step in steps)
        {
            step();
            string cached = NftablesRenderer.Build(state, config, NatInputs.None, cache).ToFullTransaction();
            string fresh = NftablesRenderer.Build(state, config, NatInputs.None).ToFullTransaction();
            Assert.Equal(fresh, cached);
        }
    }

    [Fact]
    public void A_cache_used_with_another_state_starts_afresh()
    {
        var cache = new RenderCache();
        var first = new DataplaneState();
        first.Apply(new IpSetUpdate("s:x", IpSetType.Net, ["10.0.0.1/32"]));
        NftablesRenderer.Build(first, new RenderConfig(), NatInputs.None, cache);

        // Same id, same version number (1) in a different state object: must not be taken from the cache.
        var second = new DataplaneState();
        second.Apply(new IpSetUpdate("s:x", IpSetType.Net, ["10.0.0.9/32"]));
        string cached = NftablesRenderer.Build(second, new RenderConfig(), NatInputs.None, cache).ToFullTransaction();
        Assert.Contains("10.0.0.9", cached, StringComparison.Ordinal);
        Assert.DoesNotContain("10.0.0.1", cached, StringComparison.Ordinal);
    }

    [Fact]
    public void Cached_builds_equal_fresh_builds_when_merged_runs_expand_changing_sets()
    {
        DataplaneState state = MergedRuns.State();
        var config = new RenderConfig();
        var cache = new RenderCache();
        var steps = new List<Action>
        {
            () => { },
            () => state.Apply(new IpSetDeltaUpdate(MergedRuns.WebSet, ["10.0.0.3/32", "10.0.0.0/16"], ["10.0.0.1/32"])),
            () => state.Apply(new EndpointRemove(new EndpointKey(false, "prod", "web2"))),
            () => state.Apply(new ActivePolicyUpdate(MergedRuns.Key("default", "deny-lan"), new PolicyIntent([new RuleModel { Action = RuleAction.Log }], []))),
            () => state.Apply(new IpSetDeltaUpdate(MergedRuns.WebSet, [], ["10.0.0.0/16"])),
            () => config = config with { MergeRuleRuns = false },
            () => config = config with { MergeRuleRuns = true },
        };

        foreach (Action step in steps)
        {
            step();
            string cached = NftablesRenderer.Build(state, config, NatInputs.None, cache).ToFullTransaction();
            string fresh = NftablesRenderer.Build(state, config, NatInputs.None).ToFullTransaction();
            Assert.Equal(fresh, cached);
        }
    }
}
