using System.Diagnostics.CodeAnalysis;
using System.Text;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules.FlowLogs;

/// <summary>
/// Every log prefix the renderer emits with <see cref="RenderConfig.FlowLogs"/> on, mapped to the verdict it stands
/// for. Built from the same <see cref="DataplaneState"/> as the rules, so a reader of NFLOG can decode any prefix of
/// the ruleset rendered from that state (a prefix of an older state may be missing: rebuild after each apply and keep
/// the previous table a little while for packets in flight). Immutable, safe to share between threads.
/// </summary>
public sealed class FlowLogRuleTable
{
    private readonly Dictionary<string, FlowLogRule> _rules;
    private readonly Dictionary<string, FlowLogRule>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    private FlowLogRuleTable(Dictionary<string, FlowLogRule> rules)
    {
        _rules = rules;
        _bySpan = rules.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>An empty table but for the two no-profile-matched drops.</summary>
    public static FlowLogRuleTable Empty { get; } = Build(new DataplaneState());

    public int Count => _rules.Count;

    /// <summary>Every prefix and its verdict.</summary>
    public IReadOnlyDictionary<string, FlowLogRule> Entries => _rules;

    /// <summary>The table for the rules rendered from <paramref name="state"/>.</summary>
    public static FlowLogRuleTable Build(DataplaneState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var rules = new Dictionary<string, FlowLogRule>(StringComparer.Ordinal);
        foreach (FlowLogDirection direction in (ReadOnlySpan<FlowLogDirection>)[FlowLogDirection.Ingress, FlowLogDirection.Egress])
        {
            rules[FlowLogPrefix.ForNoProfileMatched(direction)] = new FlowLogRule(FlowLogRuleKind.Profile, string.Empty, string.Empty, null, direction, -1, FlowLogAction.Deny);
        }

        foreach (var (key, policy) in state.Policies)
        {
            if (policy.DoNotTrack || FlowLogPrefix.PolicyRule(key, FlowLogDirection.Ingress, 0, FlowLogAction.Allow) is null)
            {
                continue;
            }

            string id = FlowLogPrefix.PolicyId(key);
            AddPolicyRules(rules, key, id, policy.InboundRules, FlowLogDirection.Ingress);
            AddPolicyRules(rules, key, id, policy.OutboundRules, FlowLogDirection.Egress);
        }

        foreach (var (profileId, profile) in state.Profiles)
        {
            string id = FlowLogPrefix.ProfileId(profileId);
            AddProfileRules(rules, profileId, id, profile.InboundRules, FlowLogDirection.Ingress);
            AddProfileRules(rules, profileId, id, profile.OutboundRules, FlowLogDirection.Egress);
        }

        foreach (EndpointIntent endpoint in state.Endpoints.Values)
        {
            AddTiers(rules, endpoint.Tiers);
            AddTiers(rules, endpoint.ForwardTiers);
        }

        return new FlowLogRuleTable(rules);
    }

    public bool TryGet(string prefix, [NotNullWhen(true)] out FlowLogRule? rule) => _rules.TryGetValue(prefix, out rule);

    public bool TryGet(ReadOnlySpan<char> prefix, [NotNullWhen(true)] out FlowLogRule? rule) => _bySpan.TryGetValue(prefix, out rule);

    /// <summary>A prefix as NFLOG delivers it (ASCII, possibly zero-terminated).</summary>
    public bool TryGet(ReadOnlySpan<byte> prefix, [NotNullWhen(true)] out FlowLogRule? rule)
    {
        int end = prefix.IndexOf((byte)0);
        if (end >= 0)
        {
            prefix = prefix[..end];
        }

        if (prefix.Length > FlowLogPrefix.MaxLength)
        {
            rule = null;
            return false;
        }

        Span<char> chars = stackalloc char[prefix.Length];
        int n = Encoding.ASCII.GetChars(prefix, chars);
        return _bySpan.TryGetValue(chars[..n], out rule);
    }

    private static void AddPolicyRules(Dictionary<string, FlowLogRule> rules, PolicyKey key, string id, IReadOnlyList<RuleModel> models, FlowLogDirection direction)
    {
        for (int i = 0; i < models.Count; i++)
        {
            if (FlowLogPrefix.ActionOf(models[i].Action) is FlowLogAction action)
            {
                int index = models[i].Index;
                rules[FlowLogPrefix.ForPolicyRule(id, direction, index, action)] = FlowLogPrefix.PolicyRule(key, direction, index, action)!;
            }
        }
    }

    private static void AddProfileRules(Dictionary<string, FlowLogRule> rules, string profileId, string id, IReadOnlyList<RuleModel> models, FlowLogDirection direction)
    {
        for (int i = 0; i < models.Count; i++)
        {
            if (FlowLogPrefix.ActionOf(models[i].Action) is FlowLogAction action)
            {
                int index = models[i].Index;
                rules[FlowLogPrefix.ForProfileRule(id, direction, index, action)] =
                    new FlowLogRule(FlowLogRuleKind.Profile, string.Empty, profileId, null, direction, index, action);
            }
        }
    }

    private static void AddTiers(Dictionary<string, FlowLogRule> rules, IReadOnlyList<TierIntent> tiers)
    {
        foreach (TierIntent tier in tiers)
        {
            FlowLogAction action = tier.DefaultAction == RuleAction.Pass ? FlowLogAction.Pass : FlowLogAction.Deny;
            if (tier.IngressPolicies.Count > 0)
            {
                rules.TryAdd(FlowLogPrefix.ForEndOfTier(tier.Name, FlowLogDirection.Ingress, action),
                    new FlowLogRule(FlowLogRuleKind.EndOfTier, tier.Name, string.Empty, null, FlowLogDirection.Ingress, -1, action));
            }

            if (tier.EgressPolicies.Count > 0)
            {
                rules.TryAdd(FlowLogPrefix.ForEndOfTier(tier.Name, FlowLogDirection.Egress, action),
                    new FlowLogRule(FlowLogRuleKind.EndOfTier, tier.Name, string.Empty, null, FlowLogDirection.Egress, -1, action));
            }
        }
    }
}
