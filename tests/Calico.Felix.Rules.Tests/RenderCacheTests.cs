using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules.Tests;

/// <summary>A cached build must always equal an uncached one, whatever changed in between.</summary>
[Trait("Tier", "Unit")]
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

/// <summary>
/// Random walks: each step moves one state part of the way towards a fresh random state (some sets, policies,
/// profiles and endpoints replaced, some policies and endpoints removed), so cached entries meet every mix of
/// changed and unchanged inputs. The cached build must equal the fresh one at every step, merged or not.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class RenderCacheRandomWalkTests
{
    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public void Cached_builds_equal_fresh_builds_along_random_walks(bool merge, bool flowLogs)
    {
        var config = new RenderConfig { MergeRuleRuns = merge, FlowLogs = flowLogs };
        for (int seed = 1; seed <= 40; seed++)
        {
            var random = new Random(seed);
            var draws = new RandomStates(seed);
            var state = new DataplaneState();
            var cache = new RenderCache();
            for (int step = 0; step < 10; step++)
            {
                var (target, nat) = draws.Next();
                MoveTowards(state, target, random);
                string fresh = Outcome(() => NftablesRenderer.Build(state, config, nat).ToFullTransaction());
                string cached = Outcome(() => NftablesRenderer.Build(state, config, nat, cache).ToFullTransaction());
                Assert.True(fresh == cached, $"seed {seed} step {step}: cached build differs from a fresh one");
            }
        }
    }

    private static string Outcome(Func<string> build)
    {
        try
        {
            return build();
        }
        catch (InvalidOperationException e)
        {
            return "error: " + e.Message;
        }
    }

    private static void MoveTowards(DataplaneState state, DataplaneState target, Random random)
    {
        // Sets first and never removed: the graph only removes a set after the last policy using it.
        foreach (var (id, set) in target.IpSets)
        {
            if (!state.IpSets.ContainsKey(id) || random.NextDouble() < 0.5)
            {
                state.Apply(new IpSetUpdate(id, set.Type, [.. set.Members]));
            }
        }

        foreach (var (key, policy) in target.Policies)
        {
            if (random.NextDouble() < 0.5)
            {
                state.Apply(new ActivePolicyUpdate(key, policy));
            }
        }

        foreach (var key in state.Policies.Keys.Where(k => !target.Policies.ContainsKey(k)).ToList())
        {
            if (random.NextDouble() < 0.3)
            {
                state.Apply(new ActivePolicyRemove(key));
            }
        }

        foreach (var (id, profile) in target.Profiles)
        {
            if (random.NextDouble() < 0.5)
            {
                state.Apply(new ActiveProfileUpdate(id, profile));
            }
        }

        foreach (var (key, endpoint) in target.Endpoints)
        {
            if (random.NextDouble() < 0.5)
            {
                state.Apply(new EndpointUpdate(endpoint));
            }
        }

        foreach (var key in state.Endpoints.Keys.Where(k => !target.Endpoints.ContainsKey(k)).ToList())
        {
            if (random.NextDouble() < 0.3)
            {
                state.Apply(new EndpointRemove(key));
            }
        }
    }
}
