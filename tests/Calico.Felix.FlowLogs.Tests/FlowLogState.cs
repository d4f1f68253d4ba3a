using System.Net;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules.FlowLogs;

namespace Calico.Felix.FlowLogs.Tests;

/// <summary>
/// A small dataplane state for the tests: pods a (10.65.0.1, egress) and b (10.65.0.2, ingress) in ns1; tier
/// "security" (default Pass) with global policy "pass-all" (rule 0 Pass), tier "default" with policy "ns1/allow-web"
/// (ingress rule 0 Deny, rule 1 Allow). Prefixes come from the real <see cref="FlowLogPrefix"/>.
/// </summary>
internal static class FlowLogState
{
    public static readonly IPAddress PodA = IPAddress.Parse("10.65.0.1");
    public static readonly IPAddress PodB = IPAddress.Parse("10.65.0.2");

    public static readonly PolicyKey PassAll = new("security", "GlobalNetworkPolicy", null, "pass-all");
    public static readonly PolicyKey AllowWeb = new("default", "NetworkPolicy", "ns1", "allow-web");

    public static DataplaneState Build()
    {
        var state = new DataplaneState();
        var rule = (RuleAction a) => new RuleModel { Action = a };
        state.Policies[PassAll] = new PolicyIntent([rule(RuleAction.Pass)], [rule(RuleAction.Pass)]);
        state.Policies[AllowWeb] = new PolicyIntent([rule(RuleAction.Deny), rule(RuleAction.Allow)], [rule(RuleAction.Allow)]);
        TierIntent[] tiers =
        [
            new("security", RuleAction.Pass, [PassAll], [PassAll]),
            new("default", RuleAction.Deny, [AllowWeb], [AllowWeb]),
        ];
        state.Endpoints[new(false, "ns1", "a")] = new(new(false, "ns1", "a"), "cali1", ["10.65.0.1/32"], [], tiers, ["kns.ns1"]);
        state.Endpoints[new(false, "ns1", "b")] = new(new(false, "ns1", "b"), "cali2", ["10.65.0.2/32"], [], tiers, ["kns.ns1"]);
        return state;
    }

    public static string PolicyPrefix(PolicyKey key, FlowLogDirection direction, int index, FlowLogAction action) =>
        FlowLogPrefix.ForPolicyRule(FlowLogPrefix.PolicyId(key), direction, index, action);

    public static FlowIdentityIndex Identities() => new(
    [
        FlowEndpointRecord.Workload("ns1", "a", new Dictionary<string, string> { ["app"] = "client" }, [IPNetwork.Parse("10.65.0.1/32")]),
        FlowEndpointRecord.Workload("ns1", "b", new Dictionary<string, string> { ["app"] = "web", ["tier"] = "front" }, [IPNetwork.Parse("10.65.0.2/32")]),
        FlowEndpointRecord.NetworkSet(null, "corp", new Dictionary<string, string>(), [IPNetwork.Parse("203.0.113.0/24")]),
        FlowEndpointRecord.NetworkSet("ns1", "office", new Dictionary<string, string> { ["site"] = "hq" }, [IPNetwork.Parse("203.0.113.128/25")]),
    ]);
}
