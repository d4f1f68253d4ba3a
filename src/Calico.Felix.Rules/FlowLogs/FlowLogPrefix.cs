using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules.FlowLogs;

/// <summary>
/// The nft <c>log prefix</c> of a flow-log rule and its NFLOG group. A prefix is short and fixed in shape whatever the
/// names' lengths (nft allows 127 bytes), so every policy fits:
/// <list type="bullet">
/// <item><c>{A}{O}{D}{index}|{id}</c>: a policy's (O = <c>P</c>) or profile's (O = <c>R</c>) rule, e.g. <c>API0|3F2A...</c>;</item>
/// <item><c>{A}T{D}|{id}</c>: a tier's default (end of tier), A = <c>D</c> (drop) or <c>N</c> (pass);</item>
/// <item><c>DR{D}</c>: the drop when no profile matched.</item>
/// </list>
/// A is the action as upstream's NFLOG prefixes spell it (<c>A</c>llow, <c>D</c>eny, <c>N</c>ext tier = Pass), D the
/// direction (<c>I</c>ngress, <c>E</c>gress), index the rule's position in its policy's or profile's rules of that direction (RuleModel.Index, decimal), id 16 upper-case
/// hex digits of SHA-256 over the owner's identity (kind, tier, namespace, name as the dataplane keys them). Only
/// <see cref="FlowLogRuleTable"/> turns an id back into names: it is built from the same state as the rules.
/// </summary>
public static class FlowLogPrefix
{
    /// <summary>Upstream's NFLOGInboundGroup: verdicts of ingress policy (traffic to the endpoint).</summary>
    public const ushort IngressGroup = 1;

    /// <summary>Upstream's NFLOGOutboundGroup: verdicts of egress policy (traffic from the endpoint).</summary>
    public const ushort EgressGroup = 2;

    /// <summary>nft's limit (NF_LOG_PREFIXLEN 128 with the terminating zero).</summary>
    public const int MaxLength = 127;

    public static ushort Group(FlowLogDirection direction) => direction == FlowLogDirection.Ingress ? IngressGroup : EgressGroup;

    public static FlowLogDirection DirectionOf(bool inbound) => inbound ? FlowLogDirection.Ingress : FlowLogDirection.Egress;

    /// <summary>The flow-log action of a rule action, or null (Log rules give no verdict and are not flow-logged).</summary>
    public static FlowLogAction? ActionOf(RuleAction action) => action switch
    {
        RuleAction.Allow => FlowLogAction.Allow,
        RuleAction.Deny => FlowLogAction.Deny,
        RuleAction.Pass => FlowLogAction.Pass,
        _ => null,
    };

    /// <summary>The id of a policy (16 hex digits).</summary>
    public static string PolicyId(PolicyKey key) => Hash("policy", key.Kind, key.Tier, key.Namespace ?? string.Empty, key.Name);

    /// <summary>The id of a profile (16 hex digits).</summary>
    public static string ProfileId(string profileId) => Hash("profile", profileId);

    /// <summary>The id of a tier's default (16 hex digits).</summary>
    public static string TierId(string tier) => Hash("tier", tier);

    /// <summary>A policy rule's prefix, from the policy's <see cref="PolicyId"/>.</summary>
    public static string ForPolicyRule(string policyId, FlowLogDirection direction, int index, FlowLogAction action) =>
        RulePrefix('P', policyId, direction, index, action);

    /// <summary>A profile rule's prefix, from the profile's <see cref="ProfileId"/>.</summary>
    public static string ForProfileRule(string profileId, FlowLogDirection direction, int index, FlowLogAction action) =>
        RulePrefix('R', profileId, direction, index, action);

    /// <summary>The prefix of a tier's default: Deny (end-of-tier drop) or Pass.</summary>
    public static string ForEndOfTier(string tier, FlowLogDirection direction, FlowLogAction action)
    {
        if (action == FlowLogAction.Allow)
        {
            throw new ArgumentException("a tier's default is Deny or Pass", nameof(action));
        }

        return string.Concat(ActionLetter(action), "T", DirectionLetter(direction), "|", TierId(tier));
    }

    /// <summary>The prefix of the drop when no profile matched (<c>DRI</c>, <c>DRE</c>, as upstream).</summary>
    public static string ForNoProfileMatched(FlowLogDirection direction) => "DR" + DirectionLetter(direction);

    /// <summary>
    /// The flow-log rule of a policy's rule, with the name the operator knows: a dataplane NetworkPolicy named
    /// <c>knp.default.&lt;name&gt;</c> is the Kubernetes NetworkPolicy &lt;name&gt;. Null for a kind that is not logged.
    /// </summary>
    public static FlowLogRule? PolicyRule(PolicyKey key, FlowLogDirection direction, int index, FlowLogAction action)
    {
        const string KubernetesPrefix = "knp.default.";
        (FlowLogRuleKind kind, string name) = key.Kind switch
        {
            "GlobalNetworkPolicy" => (FlowLogRuleKind.GlobalNetworkPolicy, key.Name),
            "NetworkPolicy" when key.Name.StartsWith(KubernetesPrefix, StringComparison.Ordinal) =>
                (FlowLogRuleKind.KubernetesNetworkPolicy, key.Name[KubernetesPrefix.Length..]),
            "NetworkPolicy" => (FlowLogRuleKind.CalicoNetworkPolicy, key.Name),
            _ => ((FlowLogRuleKind)(-1), key.Name),
        };
        return (int)kind < 0 ? null : new FlowLogRule(kind, key.Tier, name, key.Namespace, direction, index, action);
    }

    private static string RulePrefix(char owner, string id, FlowLogDirection direction, int index, FlowLogAction action)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return string.Concat(
            ActionLetter(action), owner.ToString(), DirectionLetter(direction),
            index.ToString(CultureInfo.InvariantCulture), "|", id);
    }

    private static string ActionLetter(FlowLogAction action) => action switch
    {
        FlowLogAction.Allow => "A",
        FlowLogAction.Deny => "D",
        _ => "N",
    };

    private static string DirectionLetter(FlowLogDirection direction) => direction == FlowLogDirection.Ingress ? "I" : "E";

    private static string Hash(params ReadOnlySpan<string> parts)
    {
        // Length-prefixed parts: no two identities give the same input.
        var sb = new StringBuilder();
        foreach (string part in parts)
        {
            sb.Append(part.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(part);
        }

        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString()), digest);
        return Convert.ToHexString(digest[..8]);
    }
}
