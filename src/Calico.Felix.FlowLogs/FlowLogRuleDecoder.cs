using System.Net;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules.FlowLogs;
using Calico.Goldmane.Api;

namespace Calico.Felix.FlowLogs;

/// <summary>
/// <see cref="IFlowLogPrefixDecoder"/> over the renderer's <see cref="FlowLogRuleTable"/>, with upstream's names for
/// what is not a policy: profiles in tier <c>__PROFILE__</c>, the drop when no profile matched named
/// <c>__NO_MATCH__</c> (upstream's <c>policy_lookup_cache.go</c>), end-of-tier hits with rule index -1 and, as
/// trigger, the tier's first policy selecting the reporting endpoint in that direction. Immutable: built by the
/// agent after each apply from the state it rendered, read by the collector's thread.
/// </summary>
public sealed class FlowLogRuleDecoder : IFlowLogPrefixDecoder
{
    public const string ProfileTier = "__PROFILE__";
    public const string NoMatchName = "__NO_MATCH__";

    private readonly FlowLogRuleTable _table;
    private readonly Dictionary<(IPAddress Address, FlowLogDirection Direction, string Tier), PolicyKey> _firstPolicy = [];

    public FlowLogRuleDecoder(FlowLogRuleTable table, DataplaneState state)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(state);
        _table = table;
        foreach (var endpoint in state.Endpoints.Values)
        {
            foreach (var net in endpoint.Ipv4Nets.Concat(endpoint.Ipv6Nets))
            {
                if (!IPNetwork.TryParse(net, out var parsed))
                {
                    continue;
                }

                foreach (var tier in endpoint.Tiers)
                {
                    if (tier.IngressPolicies.Count > 0)
                    {
                        _firstPolicy.TryAdd((parsed.BaseAddress, FlowLogDirection.Ingress, tier.Name), tier.IngressPolicies[0]);
                    }

                    if (tier.EgressPolicies.Count > 0)
                    {
                        _firstPolicy.TryAdd((parsed.BaseAddress, FlowLogDirection.Egress, tier.Name), tier.EgressPolicies[0]);
                    }
                }
            }
        }
    }

    public bool TryDecode(string prefix, FlowTuple tuple, out Reporter reporter, out PolicyHit hit)
    {
        if (!_table.TryGet(prefix, out var rule))
        {
            reporter = Reporter.Unspecified;
            hit = null!;
            return false;
        }

        reporter = rule.Direction == FlowLogDirection.Egress ? Reporter.Src : Reporter.Dst;
        hit = new PolicyHit
        {
            Kind = KindOf(rule.Kind),
            Namespace = rule.Namespace ?? string.Empty,
            Name = rule.Name,
            Tier = rule.Tier,
            Action = rule.Action switch
            {
                FlowLogAction.Allow => Goldmane.Api.Action.Allow,
                FlowLogAction.Deny => Goldmane.Api.Action.Deny,
                _ => Goldmane.Api.Action.Pass,
            },
            RuleIndex = rule.RuleIndex,
        };
        if (rule.Kind == FlowLogRuleKind.Profile)
        {
            hit.Tier = ProfileTier;
            if (rule.Name.Length == 0)
            {
                hit.Name = NoMatchName;
                hit.RuleIndex = 0;
            }
        }
        else if (rule.Kind == FlowLogRuleKind.EndOfTier)
        {
            var local = rule.Direction == FlowLogDirection.Egress ? tuple.Src : tuple.Dst;
            if (_firstPolicy.TryGetValue((local, rule.Direction, rule.Tier), out var first)
                && FlowLogPrefix.PolicyRule(first, rule.Direction, 0, rule.Action) is { } trigger)
            {
                hit.Trigger = new PolicyHit
                {
                    Kind = KindOf(trigger.Kind),
                    Namespace = trigger.Namespace ?? string.Empty,
                    Name = trigger.Name,
                    Tier = trigger.Tier,
                    Action = hit.Action,
                    RuleIndex = -1,
                };
            }
        }

        return true;
    }

    private static PolicyKind KindOf(FlowLogRuleKind kind) => kind switch
    {
        FlowLogRuleKind.CalicoNetworkPolicy => PolicyKind.CalicoNetworkPolicy,
        FlowLogRuleKind.GlobalNetworkPolicy => PolicyKind.GlobalNetworkPolicy,
        FlowLogRuleKind.KubernetesNetworkPolicy => PolicyKind.NetworkPolicy,
        FlowLogRuleKind.Profile => PolicyKind.Profile,
        _ => PolicyKind.EndOfTier,
    };
}
