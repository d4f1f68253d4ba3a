using Calico.Api;
using Calico.Felix.Calc.Model;

namespace Calico.Reachability;

public sealed partial class PolicyEvaluator
{
    /// <summary>Upstream's tier name for profile hits and its name for the final drop.</summary>
    public const string ProfileTier = "__PROFILE__";

    /// <summary>
    /// One endpoint, one direction, traced: every tier/policy/rule that passed or decided, in order, then the verdict.
    /// <see cref="TraceMode.Enforced"/> walks exactly what <see cref="Evaluate"/> walks (same verdict, staged policies
    /// take no part). <see cref="TraceMode.Pending"/> walks each tier's pending list: staged policies (Set, Learn,
    /// Ignore) at their place, enforced policies a staged policy replaces or deletes left out; a tier with nothing
    /// left for the direction is skipped, as the dataplane would.
    /// </summary>
    public SideTrace Trace(EndpointIntent endpoint, TrafficDirection direction, Packet packet, TraceMode mode)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(packet);
        var hits = new List<TraceHit>();
        foreach (var tier in endpoint.Tiers)
        {
            var policies = PoliciesFor(tier, direction, mode);
            if (policies.Count == 0)
            {
                continue;
            }

            TraceHit? trigger = null;
            var passed = false;
            foreach (var key in policies)
            {
                if (!_state.Policies.TryGetValue(key, out var policy) || (mode == TraceMode.Enforced && policy.Staged is not null))
                {
                    continue; // not active (no rules of it can match), or staged and not enforced
                }

                var rules = direction == TrafficDirection.Ingress ? policy.InboundRules : policy.OutboundRules;
                var matched = false;
                for (var i = 0; i < rules.Count; i++)
                {
                    var rule = rules[i];
                    if (rule.Action is not (RuleAction.Allow or RuleAction.Deny or RuleAction.Pass) || !_matcher.Matches(rule, packet))
                    {
                        continue; // Log: record and go on
                    }

                    matched = true;
                    var action = ToTraceAction(rule.Action);
                    hits.Add(PolicyHit(key, action, hits.Count, RuleIndex(rule, i)));
                    if (action != TraceAction.Pass)
                    {
                        return new SideTrace(endpoint.Key, direction, mode, action == TraceAction.Allow ? Verdict.Allow : Verdict.Deny, hits);
                    }

                    passed = true;
                    break;
                }

                if (passed)
                {
                    break;
                }

                if (!matched)
                {
                    trigger ??= PolicyHit(key, ToTraceAction(tier.DefaultAction), -1, -1);
                }
            }

            if (passed)
            {
                continue;
            }

            var defaultAction = tier.DefaultAction == RuleAction.Pass ? TraceAction.Pass : TraceAction.Deny;
            hits.Add(new TraceHit(TraceKind.EndOfTier, null, tier.Name, tier.Name, defaultAction, hits.Count, -1) { Trigger = trigger });
            if (defaultAction == TraceAction.Deny)
            {
                return new SideTrace(endpoint.Key, direction, mode, Verdict.Deny, hits);
            }
        }

        foreach (var id in endpoint.ProfileIds)
        {
            if (!_state.Profiles.TryGetValue(id, out var profile))
            {
                hits.Add(new TraceHit(TraceKind.Profile, null, id, ProfileTier, TraceAction.Deny, hits.Count, -1));
                return new SideTrace(endpoint.Key, direction, mode, Verdict.Deny, hits);
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
                    var action = ToTraceAction(rule.Action);
                    hits.Add(new TraceHit(TraceKind.Profile, null, id, ProfileTier, action, hits.Count, RuleIndex(rule, i)));
                    return new SideTrace(endpoint.Key, direction, mode, action == TraceAction.Allow ? Verdict.Allow : Verdict.Deny, hits);
                }

                if (rule.Action == RuleAction.Pass)
                {
                    break; // leaves this profile; the next one is evaluated
                }
            }
        }

        hits.Add(new TraceHit(TraceKind.Profile, null, ProfileTier, ProfileTier, TraceAction.Deny, hits.Count, -1));
        return new SideTrace(endpoint.Key, direction, mode, Verdict.Deny, hits);
    }

    /// <summary>The flow's egress side at the source endpoint and ingress side at the destination endpoint, traced in one mode.</summary>
    public FlowTrace TraceFlow(Packet packet, EndpointKey? source, EndpointKey? destination, TraceMode mode)
    {
        ArgumentNullException.ThrowIfNull(packet);
        var egress = source is { } s && _state.Endpoints.TryGetValue(s, out var src) ? Trace(src, TrafficDirection.Egress, packet, mode) : null;
        var ingress = destination is { } d && _state.Endpoints.TryGetValue(d, out var dst) ? Trace(dst, TrafficDirection.Ingress, packet, mode) : null;
        return new FlowTrace(packet, mode, egress, ingress);
    }

    /// <summary>The flow traced between the endpoints that own its addresses.</summary>
    public FlowTrace TraceFlow(Packet packet, TraceMode mode)
    {
        ArgumentNullException.ThrowIfNull(packet);
        return TraceFlow(packet, EndpointFor(packet.SrcIp), EndpointFor(packet.DstIp), mode);
    }

    /// <summary>True when a staged policy changes what this endpoint evaluates in this direction (the pending trace may differ).</summary>
    public static bool HasStagedPolicies(EndpointIntent endpoint, TrafficDirection direction)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        foreach (var tier in endpoint.Tiers)
        {
            if ((direction == TrafficDirection.Ingress ? tier.PendingIngressPolicies : tier.PendingEgressPolicies) is not null)
            {
                return true;
            }
        }

        return false;
    }

    private static IReadOnlyList<PolicyKey> PoliciesFor(TierIntent tier, TrafficDirection direction, TraceMode mode) =>
        (direction, mode) switch
        {
            (TrafficDirection.Ingress, TraceMode.Pending) => tier.PendingIngressPolicies ?? tier.IngressPolicies,
            (TrafficDirection.Egress, TraceMode.Pending) => tier.PendingEgressPolicies ?? tier.EgressPolicies,
            (TrafficDirection.Ingress, _) => tier.IngressPolicies,
            _ => tier.EgressPolicies,
        };

    private static TraceAction ToTraceAction(RuleAction action) => action switch
    {
        RuleAction.Allow => TraceAction.Allow,
        RuleAction.Pass => TraceAction.Pass,
        _ => TraceAction.Deny,
    };

    /// <summary>A policy's hit under the name an operator knows: kind from the key, Kubernetes policies without their prefix.</summary>
    private static TraceHit PolicyHit(PolicyKey key, TraceAction action, int policyIndex, int ruleIndex)
    {
        var (kind, name) = key.Kind switch
        {
            PolicyKinds.GlobalNetworkPolicy => (TraceKind.GlobalNetworkPolicy, key.Name),
            PolicyKinds.StagedNetworkPolicy => (TraceKind.StagedNetworkPolicy, key.Name),
            PolicyKinds.StagedGlobalNetworkPolicy => (TraceKind.StagedGlobalNetworkPolicy, key.Name),
            PolicyKinds.StagedKubernetesNetworkPolicy => (TraceKind.StagedKubernetesNetworkPolicy, key.Name),
            _ when key.Name.StartsWith(KubernetesConversion.PolicyNamePrefix, StringComparison.Ordinal)
                => (TraceKind.KubernetesNetworkPolicy, key.Name[KubernetesConversion.PolicyNamePrefix.Length..]),
            _ => (TraceKind.CalicoNetworkPolicy, key.Name),
        };
        return new TraceHit(kind, key.Namespace, name, key.Tier, action, policyIndex, ruleIndex);
    }
}
