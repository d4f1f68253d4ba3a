using Calico.Felix.Calc.Model;

namespace Calico.Felix.Bpf.Tests;

/// <summary>Builds small dataplane states: one workload endpoint "wl" on interface cali1 unless told otherwise.</summary>
internal sealed class States
{
    public DataplaneState State { get; } = new();

    public static PolicyKey Policy(string name, string tier = "default") => new(tier, PolicyKinds.GlobalNetworkPolicy, null, name);

    public States WithPolicy(PolicyKey key, IReadOnlyList<RuleModel>? ingress = null, IReadOnlyList<RuleModel>? egress = null, StagedPolicyInfo? staged = null)
    {
        State.Apply(new ActivePolicyUpdate(key, new PolicyIntent(Indexed(ingress ?? []), Indexed(egress ?? [])) { Staged = staged }));
        return this;
    }

    public States WithProfile(string id, IReadOnlyList<RuleModel>? inbound = null, IReadOnlyList<RuleModel>? outbound = null)
    {
        State.Apply(new ActiveProfileUpdate(id, new ProfileIntent(Indexed(inbound ?? []), Indexed(outbound ?? []))));
        return this;
    }

    public States WithIpSet(string id, params string[] members)
    {
        State.Apply(new IpSetUpdate(id, IpSetType.Net, members));
        return this;
    }

    public States WithEndpoint(string name, string iface, IReadOnlyList<TierIntent> tiers, params string[] profiles)
    {
        State.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(false, "ns", name), iface, ["10.65.0.2/32"], [], tiers, profiles)));
        return this;
    }

    public static TierIntent Tier(string name, RuleAction defaultAction, IReadOnlyList<PolicyKey>? ingress = null, IReadOnlyList<PolicyKey>? egress = null) =>
        new(name, defaultAction, ingress ?? [], egress ?? []);

    private static List<RuleModel> Indexed(IReadOnlyList<RuleModel> rules)
    {
        var result = new List<RuleModel>(rules.Count);
        for (int i = 0; i < rules.Count; i++)
        {
            result.Add(rules[i] with { Index = i });
        }

        return result;
    }
}
