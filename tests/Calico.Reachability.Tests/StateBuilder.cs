using Calico.Felix.Calc.Model;

namespace Calico.Reachability.Tests;

/// <summary>Hand-built dataplane states: what the calculation graph would have sent.</summary>
internal sealed class StateBuilder
{
    public DataplaneState State { get; } = new();

    public static readonly RuleModel AllowAll = new() { Action = RuleAction.Allow };

    public StateBuilder Profile(string id, params RuleModel[] rules)
    {
        State.Apply(new ActiveProfileUpdate(id, new ProfileIntent(rules, rules)));
        return this;
    }

    public StateBuilder IpSet(string id, params string[] members) => IpSet(id, IpSetType.Net, members);

    public StateBuilder IpSet(string id, IpSetType type, params string[] members)
    {
        State.Apply(new IpSetUpdate(id, type, members));
        return this;
    }

    public StateBuilder Policy(PolicyKey key, IReadOnlyList<RuleModel>? inbound = null, IReadOnlyList<RuleModel>? outbound = null)
    {
        State.Apply(new ActivePolicyUpdate(key, new PolicyIntent(Indexed(inbound ?? []), Indexed(outbound ?? []))));
        return this;
    }

    public StateBuilder Endpoint(string ns, string name, string ip, IReadOnlyList<TierIntent>? tiers = null, params string[] profiles)
    {
        var key = Key(ns, name);
        State.Apply(new EndpointUpdate(new EndpointIntent(key, "cali" + name, [ip + "/32"], [], tiers ?? [], profiles)));
        return this;
    }

    public static EndpointKey Key(string ns, string name) => new(false, ns, name);

    public static PolicyKey Np(string ns, string name, string tier = "default") => new(tier, "NetworkPolicy", ns, name);

    public static TierIntent Tier(string name, IReadOnlyList<PolicyKey>? ingress = null, IReadOnlyList<PolicyKey>? egress = null, RuleAction defaultAction = RuleAction.Deny) =>
        new(name, defaultAction, ingress ?? [], egress ?? []);

    private static List<RuleModel> Indexed(IReadOnlyList<RuleModel> rules) => [.. rules.Select((r, i) => r with { Index = i })];
}
