using System.Net;
using Calico.Felix.Calc.Model;

namespace Calico.Reachability;

/// <summary>
/// What the dataplane does with the calculation graph's output: for one endpoint and direction, tiers in order
/// (policies in order, rules first-match; Allow/Deny decide, Pass leaves the tier, Log continues; no match ->
/// the tier's default action), then profiles when no tier decided (first Allow wins, Deny denies, a missing
/// profile denies), else drop. Reads only <see cref="DataplaneState"/>; it interprets no policy resource.
/// </summary>
public sealed partial class PolicyEvaluator
{
    private readonly DataplaneState _state;
    private readonly RuleMatcher _matcher;
    private readonly Dictionary<IPAddress, EndpointKey> _byAddress = [];

    public PolicyEvaluator(DataplaneState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _state = state;
        _matcher = new RuleMatcher(state);
        foreach (var (key, ep) in state.Endpoints)
        {
            if (key.IsHostEndpoint)
            {
                continue;
            }

            foreach (var net in ep.Ipv4Nets.Concat(ep.Ipv6Nets))
            {
                var slash = net.IndexOf('/', StringComparison.Ordinal);
                if (IPAddress.TryParse(slash < 0 ? net : net[..slash], out var address))
                {
                    _byAddress.TryAdd(address, key);
                }
            }
        }
    }

    public DataplaneState State => _state;

    /// <summary>The workload endpoint that owns an address, if any.</summary>
    public EndpointKey? EndpointFor(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return _byAddress.TryGetValue(address, out var key) ? key : null;
    }

    /// <summary>The flow: egress at the source endpoint and ingress at the destination endpoint, each found by address.</summary>
    public FlowVerdict EvaluateFlow(Packet packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        return EvaluateFlow(packet, EndpointFor(packet.SrcIp), EndpointFor(packet.DstIp));
    }

    /// <summary>The flow between explicitly named endpoints (null = not an endpoint: that side does not filter).</summary>
    public FlowVerdict EvaluateFlow(Packet packet, EndpointKey? source, EndpointKey? destination)
    {
        ArgumentNullException.ThrowIfNull(packet);
        var egress = source is { } s && _state.Endpoints.TryGetValue(s, out var src) ? Evaluate(src, TrafficDirection.Egress, packet) : null;
        var ingress = destination is { } d && _state.Endpoints.TryGetValue(d, out var dst) ? Evaluate(dst, TrafficDirection.Ingress, packet) : null;
        return new FlowVerdict(packet, egress, ingress);
    }

    /// <summary>One endpoint, one direction.</summary>
    public SideDecision Evaluate(EndpointIntent endpoint, TrafficDirection direction, Packet packet)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(packet);
        var passed = new List<string>();
        foreach (var tier in endpoint.Tiers)
        {
            var policies = direction == TrafficDirection.Ingress ? tier.IngressPolicies : tier.EgressPolicies;
            if (policies.Count == 0)
            {
                continue;
            }

            var tierPassed = false;
            foreach (var key in policies)
            {
                if (!_state.Policies.TryGetValue(key, out var policy))
                {
                    continue; // not active: no rules of it can match
                }

                var rules = direction == TrafficDirection.Ingress ? policy.InboundRules : policy.OutboundRules;
                for (var i = 0; i < rules.Count; i++)
                {
                    var rule = rules[i];
                    if (!_matcher.Matches(rule, packet))
                    {
                        continue;
                    }

                    switch (rule.Action)
                    {
                        case RuleAction.Allow:
                        case RuleAction.Deny:
                            return new SideDecision(endpoint.Key, direction, rule.Action == RuleAction.Allow ? Verdict.Allow : Verdict.Deny, DecisionSource.PolicyRule)
                            {
                                Tier = tier.Name,
                                Policy = key,
                                RuleIndex = RuleIndex(rule, i),
                                Action = rule.Action,
                                PassedTiers = passed,
                            };
                        case RuleAction.Pass:
                            tierPassed = true;
                            break;
                        default:
                            continue; // Log: record and go on
                    }

                    break;
                }

                if (tierPassed)
                {
                    break;
                }
            }

            if (tierPassed || tier.DefaultAction == RuleAction.Pass)
            {
                passed.Add(tier.Name);
                continue;
            }

            return new SideDecision(endpoint.Key, direction, Verdict.Deny, DecisionSource.TierDefault)
            {
                Tier = tier.Name,
                Action = tier.DefaultAction == RuleAction.Allow ? RuleAction.Allow : RuleAction.Deny,
                PassedTiers = passed,
                EvaluatedPolicies = policies,
            };
        }

        foreach (var id in endpoint.ProfileIds)
        {
            if (!_state.Profiles.TryGetValue(id, out var profile))
            {
                return new SideDecision(endpoint.Key, direction, Verdict.Deny, DecisionSource.ProfileMissing) { Profile = id, PassedTiers = passed };
            }

            var rules = direction == TrafficDirection.Ingress ? profile.InboundRules : profile.OutboundRules;
            for (var i = 0; i < rules.Count; i++)
            {
                var rule = rules[i];
                if (!_matcher.Matches(rule, packet))
                {
                    continue;
                }

                if (rule.Action is RuleAction.Allow or RuleAction.Deny)
                {
                    return new SideDecision(endpoint.Key, direction, rule.Action == RuleAction.Allow ? Verdict.Allow : Verdict.Deny, DecisionSource.ProfileRule)
                    {
                        Profile = id,
                        RuleIndex = RuleIndex(rule, i),
                        Action = rule.Action,
                        PassedTiers = passed,
                    };
                }

                if (rule.Action == RuleAction.Pass)
                {
                    break; // leaves this profile; the next one is evaluated
                }
            }
        }

        return new SideDecision(endpoint.Key, direction, Verdict.Deny, DecisionSource.NoMatch) { PassedTiers = passed };
    }

    /// <summary>The rule's own index when the graph set one; rules left at 0 beyond the first fall back to the position.</summary>
    private static int RuleIndex(RuleModel rule, int position) => rule.Index != 0 ? rule.Index : position;
}
