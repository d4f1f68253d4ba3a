using Calico.Goldmane.Api;
using FlowAction = Calico.Goldmane.Api.Action;

namespace Calico.Goldmane.Store;

/// <summary>
/// Per-bucket policy statistics (upstream's statisticsIndex): for each policy met in a flow's enforced or pending
/// trace, packets, bytes and live connections by action (allowed/denied/passed) and direction (in/out), per
/// policy and per rule. An EndOfTier hit counts for the policy that triggered it.
/// </summary>
internal sealed class BucketStatistics
{
    private readonly Dictionary<PolicyId, PolicyCounters> _policies = [];

    public bool IsEmpty => _policies.Count == 0;

    public void Clear() => _policies.Clear();

    public void Add(Flow flow)
    {
        if (flow.Key.Policies is not { } trace)
        {
            return;
        }

        RuleDirection direction = flow.Key.Reporter == Reporter.Src ? RuleDirection.Egress : RuleDirection.Ingress;
        var seen = new Dictionary<StatisticsKey, FlowAction>();
        foreach (var hit in trace.EnforcedPolicies.Concat(trace.PendingPolicies))
        {
            var meta = hit.Kind == PolicyKind.EndOfTier && hit.Trigger is not null ? hit.Trigger : hit;
            var key = new StatisticsKey(new PolicyId(meta.Namespace, meta.Name, meta.Kind, meta.Tier), hit.Action, meta.RuleIndex, direction);
            // A rule met twice (enforced and pending) counts once, with its first action, as upstream.
            seen.TryAdd(key, hit.Action);
        }

        foreach (var policy in seen.GroupBy(entry => entry.Key.Policy))
        {
            if (!_policies.TryGetValue(policy.Key, out var counters))
            {
                counters = new PolicyCounters();
                _policies[policy.Key] = counters;
            }

            foreach ((var key, var action) in policy)
            {
                counters.Total.Add(flow, action, direction);
                if (!counters.Rules.TryGetValue(key, out var rule))
                {
                    rule = new Counters();
                    counters.Rules[key] = rule;
                }

                rule.Add(flow, action, direction);
            }
        }
    }

    /// <summary>The counts this bucket holds for each result key matching <paramref name="request"/>.</summary>
    public IEnumerable<(StatisticsKey Key, CountSet Counts)> Query(StatisticsRequest request)
    {
        foreach ((var id, var counters) in _policies)
        {
            if (request.GroupBy == StatisticsGroupBy.Policy)
            {
                if (Matches(request.PolicyMatch, id, null))
                {
                    yield return (new StatisticsKey(id, FlowAction.Unspecified, 0, RuleDirection.Any), counters.Total.Of(request.Type));
                }

                continue;
            }

            foreach ((var key, var rule) in counters.Rules)
            {
                if (Matches(request.PolicyMatch, id, key.Action))
                {
                    yield return (key, rule.Of(request.Type));
                }
            }
        }
    }

    private static bool Matches(PolicyMatch? match, PolicyId id, FlowAction? action)
    {
        if (match is null)
        {
            return true;
        }

        return FlowFilter.StringMatches(match.Namespace, id.Namespace)
            && FlowFilter.StringMatches(match.Name, id.Name)
            && (match.Kind == PolicyKind.KindUnspecified || match.Kind == id.Kind)
            && FlowFilter.StringMatches(match.Tier, id.Tier)
            && (match.Action == FlowAction.Unspecified || action is null || match.Action == action);
    }

    private sealed class PolicyCounters
    {
        public Counters Total { get; } = new();

        public Dictionary<StatisticsKey, Counters> Rules { get; } = [];
    }

    private sealed class Counters
    {
        private CountSet _packets;
        private CountSet _bytes;
        private CountSet _connections;

        public CountSet Of(StatisticType type) => type switch
        {
            StatisticType.ByteCount => _bytes,
            StatisticType.LiveConnectionCount => _connections,
            _ => _packets,
        };

        public void Add(Flow flow, FlowAction action, RuleDirection direction)
        {
            _packets.Add(action, flow.PacketsIn, flow.PacketsOut);
            _bytes.Add(action, flow.BytesIn, flow.BytesOut);
            // Live connections count on the reporter's side only: ingress for the destination, egress for the source.
            _connections.Add(action,
                direction == RuleDirection.Ingress ? flow.NumConnectionsLive : 0,
                direction == RuleDirection.Egress ? flow.NumConnectionsLive : 0);
        }
    }
}

/// <summary>A policy's identity in statistics (namespace, name, kind, tier).</summary>
internal readonly record struct PolicyId(string Namespace, string Name, PolicyKind Kind, string Tier);

/// <summary>A statistics result key: the policy, and for group-by PolicyRule the rule's action, index and direction.</summary>
internal readonly record struct StatisticsKey(PolicyId Policy, FlowAction Action, long RuleIndex, RuleDirection Direction);

/// <summary>Counts by action and direction.</summary>
internal struct CountSet
{
    public long AllowedIn;
    public long AllowedOut;
    public long DeniedIn;
    public long DeniedOut;
    public long PassedIn;
    public long PassedOut;

    public void Add(FlowAction action, long inbound, long outbound)
    {
        switch (action)
        {
            case FlowAction.Allow:
                AllowedIn += inbound;
                AllowedOut += outbound;
                break;
            case FlowAction.Deny:
                DeniedIn += inbound;
                DeniedOut += outbound;
                break;
            case FlowAction.Pass:
                PassedIn += inbound;
                PassedOut += outbound;
                break;
            default:
                break;
        }
    }

    public void Add(CountSet other)
    {
        AllowedIn += other.AllowedIn;
        AllowedOut += other.AllowedOut;
        DeniedIn += other.DeniedIn;
        DeniedOut += other.DeniedOut;
        PassedIn += other.PassedIn;
        PassedOut += other.PassedOut;
    }
}
