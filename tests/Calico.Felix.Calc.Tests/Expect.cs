using Calico.Felix.Calc.Internal;
using Calico.Felix.Calc.Model;
using Calico.Selectors;

namespace Calico.Felix.Calc.Tests;

/// <summary>Builds an expected <see cref="DataplaneState"/>.</summary>
internal sealed class Expect
{
    public static readonly ProfileIntent AllowAll = new([new RuleModel { Action = RuleAction.Allow }], [new RuleModel { Action = RuleAction.Allow }]);
    public static readonly ProfileIntent DenyAll = new([new RuleModel { Action = RuleAction.Deny }], [new RuleModel { Action = RuleAction.Deny }]);

    public DataplaneState State { get; } = new();

    /// <summary>The IP set id of a selector, written as upstream's rewriting produces it.</summary>
    public static string Sel(string selector) => Selector.Parse(selector).UniqueId;

    public static string Named(string selector, string protocol, string port) => IpSetDefinition.NamedPortId(Selector.Parse(selector), protocol, port);

    public static PolicyKey Np(string ns, string name, string tier = "default") => new(tier, "NetworkPolicy", ns, name);

    public static PolicyKey Gnp(string name, string tier = "default") => new(tier, "GlobalNetworkPolicy", null, name);

    public Expect IpSet(string id, params string[] members) => AddSet(id, IpSetType.Net, members);

    public Expect PortSet(string id, params string[] members) => AddSet(id, IpSetType.IpPort, members);

    private Expect AddSet(string id, IpSetType type, string[] members)
    {
        State.IpSets[id] = (type, new HashSet<string>(members, StringComparer.Ordinal));
        return this;
    }

    public Expect Policy(PolicyKey key, RuleModel[]? inbound = null, RuleModel[]? outbound = null, bool preDnat = false, bool untracked = false, bool forward = false)
    {
        State.Policies[key] = new PolicyIntent(inbound ?? [], outbound ?? []) { PreDnat = preDnat, DoNotTrack = untracked, ApplyOnForward = forward };
        return this;
    }

    public Expect Profile(string id, ProfileIntent? intent = null)
    {
        State.Profiles[id] = intent ?? AllowAll;
        return this;
    }

    public Expect Wep(string ns, string name, string ip, string[] profiles, params TierIntent[] tiers)
    {
        var key = new EndpointKey(false, ns, name);
        State.Endpoints[key] = new EndpointIntent(key, "cali-" + name, ip.Contains(':', StringComparison.Ordinal) ? [] : [ip], ip.Contains(':', StringComparison.Ordinal) ? [ip] : [], tiers, profiles);
        return this;
    }

    public Expect Hep(EndpointIntent intent)
    {
        State.Endpoints[intent.Key] = intent;
        return this;
    }

    public static TierIntent Tier(string name, RuleAction defaultAction, PolicyKey[] ingress, PolicyKey[] egress) => new(name, defaultAction, ingress, egress);
}
