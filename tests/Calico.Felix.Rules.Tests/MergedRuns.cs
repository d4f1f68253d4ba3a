using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules.Tests;

/// <summary>
/// A state made to exercise rule-run merging: runs across policy boundaries, an Allow run broken by Deny, a policy
/// that keeps its chain (Log, Pass), lookups after a possible Pass, overlapping CIDR × port boxes, ICMP and
/// ipVersion-limited rules, egress, and two endpoints sharing every merged set.
/// </summary>
internal static class MergedRuns
{
    public const string WebSet = "s:web";

    public static PolicyKey Key(string tier, string name) => new(tier, "GlobalNetworkPolicy", null, name);

    public static DataplaneState State()
    {
        var state = new DataplaneState();
        state.Apply(new IpSetUpdate(WebSet, IpSetType.Net, ["10.0.0.1/32", "10.0.0.2/32", "10.0.1.0/24", "fd00::1/128"]));
        Policy(state, Key("admin", "monitoring"), [Allow(6, ["10.9.0.0/16"], null, (9100, 9100))]);
        Policy(state, Key("admin", "pass-web"), [new RuleModel { Action = RuleAction.Pass, SrcIpSetIds = [WebSet] }]);
        Policy(state, Key("admin", "after-pass"), [Allow(6, null, WebSet, (22, 22))]);

        Policy(
            state,
            Key("default", "web"),
            [Allow(6, null, WebSet, (80, 80), (8000, 8100)), Allow(6, ["10.0.0.0/8"], null, (80, 90)), Allow(17, null, null, (53, 53))],
            [new RuleModel { Action = RuleAction.Allow, DstIpSetIds = [WebSet] }, new RuleModel { Action = RuleAction.Deny, Index = 1 }]);
        Policy(state, Key("default", "deny-lan"), [new RuleModel { Action = RuleAction.Deny, SrcNets = ["192.168.0.0/16", "fd00:bad::/32"] }]);
        Policy(state, Key("default", "icmp"), [new RuleModel { Action = RuleAction.Allow, Protocol = 1 }, new RuleModel { Action = RuleAction.Allow, Protocol = 58, Index = 1 }]);
        Policy(state, Key("default", "log-then-allow"), [new RuleModel { Action = RuleAction.Log }, Allow(6, null, null, (443, 443))]);
        Policy(state, Key("default", "v6-only"), [new RuleModel { Action = RuleAction.Allow, IpVersion = 6, SrcNets = ["fd00::/64"] }]);

        var admin = new TierIntent("admin", RuleAction.Pass, [Key("admin", "monitoring"), Key("admin", "pass-web"), Key("admin", "after-pass")], []);
        var dflt = new TierIntent(
            "default",
            RuleAction.Deny,
            [Key("default", "web"), Key("default", "deny-lan"), Key("default", "icmp"), Key("default", "log-then-allow"), Key("default", "v6-only")],
            [Key("default", "web")]);
        Endpoint(state, "web1", "caliweb1", [admin, dflt]);
        Endpoint(state, "web2", "caliweb2", [admin, dflt]);
        Endpoint(state, "db", "calidb", [new TierIntent("default", RuleAction.Deny, [Key("default", "deny-lan"), Key("default", "web")], [])]);
        return state;
    }

    public static RuleModel Allow(int? protocol, IReadOnlyList<string>? nets, string? set, params (int First, int Last)[] ports) => new()
    {
        Action = RuleAction.Allow,
        Protocol = protocol,
        SrcNets = nets ?? [],
        SrcIpSetIds = set is null ? [] : [set],
        DstPorts = [.. ports.Select(p => new PortRange(p.First, p.Last))],
    };

    public static void Policy(DataplaneState state, PolicyKey key, IReadOnlyList<RuleModel> inbound, IReadOnlyList<RuleModel>? outbound = null) =>
        state.Apply(new ActivePolicyUpdate(key, new PolicyIntent(inbound, outbound ?? [])));

    public static void Endpoint(DataplaneState state, string name, string iface, IReadOnlyList<TierIntent> tiers, string? ipv4 = null) =>
        state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(false, "prod", name), iface, ipv4 is null ? [] : [ipv4], [], tiers, [])));
}
