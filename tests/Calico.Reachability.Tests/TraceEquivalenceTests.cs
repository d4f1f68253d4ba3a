using Calico.Felix.Calc.Model;

namespace Calico.Reachability.Tests;

/// <summary>
/// Over random dataplane states: the enforced trace decides exactly as <see cref="PolicyEvaluator.Evaluate"/> (verdict
/// and what decided), staged policies added to the tiers' pending lists change no enforced trace, and without them the
/// pending trace is the enforced one.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class TraceEquivalenceTests
{
    private static readonly string[] s_pods = ["a", "b", "c"];
    private static readonly RuleAction[] s_actions = [RuleAction.Allow, RuleAction.Deny, RuleAction.Pass, RuleAction.Log];

    [Fact]
    public void RandomStates_EnforcedTraceMatchesEvaluate_AndStagedChangesOnlyThePendingTrace()
    {
        var pendingDiffered = 0;
        for (var seed = 0; seed < 250; seed++)
        {
            var random = new Random(seed);
            var (plain, withStaged) = RandomStates(random);
            var plainEvaluator = new PolicyEvaluator(plain);
            var stagedEvaluator = new PolicyEvaluator(withStaged);
            foreach (var (src, dst, port) in Flows())
            {
                var packet = Packet.Create(src, dst, Packet.Tcp, 40000, port);
                foreach (var (key, endpoint) in plain.Endpoints)
                {
                    foreach (var direction in new[] { TrafficDirection.Ingress, TrafficDirection.Egress })
                    {
                        var context = $"seed {seed} {direction} at {key} {packet}";
                        var decision = plainEvaluator.Evaluate(endpoint, direction, packet);
                        var enforced = plainEvaluator.Trace(endpoint, direction, packet, TraceMode.Enforced);
                        AssertSame(decision, enforced, context);
                        Assert.Equal(enforced.Hits, plainEvaluator.Trace(endpoint, direction, packet, TraceMode.Pending).Hits);

                        var stagedEndpoint = withStaged.Endpoints[key];
                        Assert.Equal(enforced.Hits, stagedEvaluator.Trace(stagedEndpoint, direction, packet, TraceMode.Enforced).Hits);
                        Assert.Equal(decision.ToString(), stagedEvaluator.Evaluate(stagedEndpoint, direction, packet).ToString());
                        var pending = stagedEvaluator.Trace(stagedEndpoint, direction, packet, TraceMode.Pending);
                        Assert.True(pending.Hits.Count > 0, context);
                        if (!pending.Hits.SequenceEqual(enforced.Hits))
                        {
                            pendingDiffered++;
                        }
                    }
                }
            }
        }

        Assert.True(pendingDiffered > 100, $"staged policies changed only {pendingDiffered} pending traces: the generator is too weak");
    }

    private static void AssertSame(SideDecision decision, SideTrace trace, string context)
    {
        Assert.True(decision.Verdict == trace.Verdict, context);
        var last = trace.Decider;
        switch (decision.Source)
        {
            case DecisionSource.PolicyRule:
                Assert.True(last.Name == decision.Policy!.Value.Name && last.Tier == decision.Tier && last.RuleIndex == decision.RuleIndex, context + ": " + last);
                break;
            case DecisionSource.TierDefault:
                Assert.True(last.Kind == TraceKind.EndOfTier && last.Tier == decision.Tier && last.Action == TraceAction.Deny, context + ": " + last);
                Assert.True(
                    decision.EvaluatedPolicies.Count == 0 || last.Trigger is null || decision.EvaluatedPolicies.Any(p => p.Name == last.Trigger.Name),
                    context + ": trigger " + last.Trigger);
                break;
            case DecisionSource.ProfileRule:
                Assert.True(last.Kind == TraceKind.Profile && last.Name == decision.Profile && last.RuleIndex == decision.RuleIndex, context + ": " + last);
                break;
            case DecisionSource.ProfileMissing:
                Assert.True(last.Kind == TraceKind.Profile && last.Name == decision.Profile && last.RuleIndex == -1, context + ": " + last);
                break;
            default:
                Assert.True(last.Kind == TraceKind.Profile && last.Name == PolicyEvaluator.ProfileTier, context + ": " + last);
                break;
        }

        // Every hit before the last passed.
        Assert.All(trace.Hits.Take(trace.Hits.Count - 1), h => Assert.Equal(TraceAction.Pass, h.Action));
        Assert.Equal(Enumerable.Range(0, trace.Hits.Count), trace.Hits.Select(h => h.PolicyIndex));
    }

    private static IEnumerable<(string Src, string Dst, int Port)> Flows()
    {
        for (var i = 1; i <= 4; i++)
        {
            for (var j = 1; j <= 3; j++)
            {
                if (i != j)
                {
                    yield return ($"10.0.0.{i}", $"10.0.0.{j}", 80);
                    yield return ($"10.0.0.{i}", $"10.0.0.{j}", 81);
                }
            }
        }
    }

    /// <summary>One random state, and the same state with random staged policies added to the pending lists (some replacing enforced ones).</summary>
    private static (DataplaneState Plain, DataplaneState WithStaged) RandomStates(Random random)
    {
        var plain = new DataplaneState();
        var withStaged = new DataplaneState();
        var namespaceProfile = new ProfileIntent([RandomRule(random, 0)], [RandomRule(random, 0)]);
        foreach (var state in new[] { plain, withStaged })
        {
            state.Apply(new ActiveProfileUpdate("kns.x", namespaceProfile));
            state.Apply(new ActiveProfileUpdate("allow", new ProfileIntent([new RuleModel { Action = RuleAction.Allow }], [new RuleModel { Action = RuleAction.Allow }])));
        }

        var policies = new List<PolicyKey>();
        for (var p = 0; p < 6; p++)
        {
            var key = new PolicyKey("t" + random.Next(3), "NetworkPolicy", "x", "p" + p);
            policies.Add(key);
            if (random.Next(6) == 0)
            {
                continue; // named by tiers but not active
            }

            var intent = new PolicyIntent(RandomRules(random), RandomRules(random));
            plain.Apply(new ActivePolicyUpdate(key, intent));
            withStaged.Apply(new ActivePolicyUpdate(key, intent));
        }

        var staged = new List<PolicyKey>();
        for (var s = 0; s < 3; s++)
        {
            var key = new PolicyKey("t" + random.Next(3), PolicyKinds.StagedNetworkPolicy, "x", "p" + random.Next(8));
            staged.Add(key);
            withStaged.Apply(new ActivePolicyUpdate(key, new PolicyIntent(RandomRules(random), RandomRules(random))
            {
                Staged = new StagedPolicyInfo(StagedAction.Set, new PolicyIdentity("NetworkPolicy", "x", key.Name)),
            }));
        }

        foreach (var pod in s_pods)
        {
            var tiers = new List<TierIntent>();
            var stagedTiers = new List<TierIntent>();
            foreach (var tier in new[] { "t0", "t1", "t2" })
            {
                var ingress = policies.Where(p => p.Tier == tier && random.Next(2) == 0).ToList();
                var egress = policies.Where(p => p.Tier == tier && random.Next(2) == 0).ToList();
                var stagedHere = staged.Where(p => p.Tier == tier && random.Next(3) > 0).ToList();
                var defaultAction = random.Next(3) == 0 ? RuleAction.Pass : RuleAction.Deny;
                if (ingress.Count + egress.Count > 0)
                {
                    tiers.Add(new TierIntent(tier, defaultAction, ingress, egress));
                }

                if (ingress.Count + egress.Count + stagedHere.Count > 0)
                {
                    // Replaced enforced policies leave the pending lists; staged ones go in front (their order is random anyway).
                    bool Kept(PolicyKey k) => !staged.Any(s => s.Name == k.Name);
                    stagedTiers.Add(new TierIntent(tier, defaultAction, ingress, egress)
                    {
                        PendingIngressPolicies = [.. stagedHere, .. ingress.Where(Kept)],
                        PendingEgressPolicies = [.. stagedHere, .. egress.Where(Kept)],
                    });
                }
            }

            string[] profiles = random.Next(5) switch
            {
                0 => [],
                1 => ["gone", "kns.x"],
                2 => ["kns.x", "allow"],
                _ => ["kns.x"],
            };
            var key = new EndpointKey(false, "x", pod);
            var ip = "10.0.0." + (Array.IndexOf(s_pods, pod) + 1) + "/32";
            plain.Apply(new EndpointUpdate(new EndpointIntent(key, "cali" + pod, [ip], [], tiers, profiles)));
            withStaged.Apply(new EndpointUpdate(new EndpointIntent(key, "cali" + pod, [ip], [], stagedTiers, profiles)));
        }

        return (plain, withStaged);
    }

    private static List<RuleModel> RandomRules(Random random)
    {
        var rules = new List<RuleModel>();
        var count = random.Next(4);
        for (var i = 0; i < count; i++)
        {
            rules.Add(RandomRule(random, i));
        }

        return rules;
    }

    private static RuleModel RandomRule(Random random, int index)
    {
        var rule = new RuleModel { Action = s_actions[random.Next(s_actions.Length)], Index = index };
        return random.Next(3) switch
        {
            0 => rule with { SrcNets = ["10.0.0." + (random.Next(4) + 1) + "/32"] },
            1 => rule with { DstPorts = [new PortRange(80, 80)] },
            _ => rule,
        };
    }
}
