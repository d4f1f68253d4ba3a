using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules.Tests;

/// <summary>Seeded random dataplane states over small pools of names, so two draws overlap and differ in every aspect.</summary>
internal sealed class RandomStates(int seed)
{
    private static readonly string[] NetPool =
        ["10.0.0.1/32", "10.0.0.2/32", "10.0.0.3/32", "10.0.0.0/24", "10.1.0.0/16", "10.1.2.0/24", "192.168.1.0/24", "fd00::1/128", "fd00::/64", "fd01::/48"];

    private static readonly string[] PortPool = ["10.0.0.1,tcp:80", "10.0.0.2,tcp:8080", "10.0.0.3,udp:53", "fd00::1,udp:53"];

    private static readonly string[] NetSets = ["s:alpha", "s:beta", "s:gamma"];

    private static readonly PolicyKey[] PolicyPool =
    [
        new("default", "NetworkPolicy", "prod", "web"),
        new("default", "NetworkPolicy", "prod", "db"),
        new("default", "GlobalNetworkPolicy", null, "deny-meta"),
        new("admin", "GlobalNetworkPolicy", null, "dns"),
    ];

    private readonly Random _random = new(seed);

    public (DataplaneState State, NatInputs Nat) Next()
    {
        var state = new DataplaneState();
        var netSets = new List<string>();
        foreach (string id in NetSets)
        {
            if (Chance(0.7))
            {
                state.Apply(new IpSetUpdate(id, IpSetType.Net, Subset(NetPool)));
                netSets.Add(id);
            }
        }

        bool namedPorts = Chance(0.5);
        if (namedPorts)
        {
            state.Apply(new IpSetUpdate("n:ports", IpSetType.IpPort, Subset(PortPool)));
        }

        var policies = new List<PolicyKey>();
        foreach (PolicyKey key in PolicyPool)
        {
            if (Chance(0.6))
            {
                state.Apply(new ActivePolicyUpdate(key, new PolicyIntent(Rules(netSets, namedPorts), Rules(netSets, namedPorts))));
                policies.Add(key);
            }
        }

        foreach (string profile in new[] { "kns.prod", "kns.dev" })
        {
            if (Chance(0.6))
            {
                state.Apply(new ActiveProfileUpdate(profile, new ProfileIntent(Rules(netSets, namedPorts), [new RuleModel { Action = RuleAction.Allow }])));
            }
        }

        foreach (string iface in new[] { "cali1", "cali2", "cali3", "cali4" })
        {
            if (Chance(0.6))
            {
                state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(false, "prod", "wep-" + iface), iface, [], [], Tiers(policies), Subset(["kns.prod", "kns.dev"]))));
            }
        }

        foreach (string iface in new[] { "eth0", "eth1" })
        {
            if (Chance(0.4))
            {
                state.Apply(new EndpointUpdate(StateBuilder.HostEndpoint(iface, Tiers(policies), [.. Subset(["kns.prod"])])));
            }
        }

        NatInputs nat = Chance(0.5)
            ? new NatInputs(Subset(["10.0.0.0/16", "10.2.0.0/16", "fd10::/64"]), Subset(["10.0.0.0/16", "fd10::/64"]))
            : NatInputs.None;
        return (state, nat);
    }

    private List<TierIntent> Tiers(List<PolicyKey> policies)
    {
        var admin = new List<PolicyKey>();
        var dflt = new List<PolicyKey>();
        foreach (PolicyKey key in policies)
        {
            if (Chance(0.6))
            {
                (key.Tier == "admin" ? admin : dflt).Add(key);
            }
        }

        var tiers = new List<TierIntent>();
        if (admin.Count > 0)
        {
            tiers.Add(new TierIntent("admin", RuleAction.Pass, Chance(0.5) ? admin : [], admin));
        }

        if (dflt.Count > 0)
        {
            tiers.Add(new TierIntent("default", RuleAction.Deny, dflt, Chance(0.5) ? dflt : []));
        }

        if (Chance(0.3))
        {
            tiers.Reverse();
        }

        return tiers;
    }

    private List<RuleModel> Rules(List<string> netSets, bool namedPorts)
    {
        var rules = new List<RuleModel>();
        int count = _random.Next(4);
        for (int i = 0; i < count; i++)
        {
            var action = (RuleAction)_random.Next(4);
            rules.Add(_random.Next(5) switch
            {
                0 when netSets.Count > 0 => new RuleModel { Action = action, SrcIpSetIds = [netSets[_random.Next(netSets.Count)]], Index = i },
                1 when namedPorts => new RuleModel { Action = action, Protocol = 6, DstNamedPortIpSetIds = ["n:ports"], Index = i },
                2 => new RuleModel { Action = action, Protocol = 6, DstPorts = [new PortRange(80, 80 + _random.Next(3))], Index = i },
                3 => new RuleModel { Action = action, DstNets = Subset(NetPool), Index = i },
                _ => new RuleModel { Action = action, Protocol = 17, Index = i },
            });
        }

        return rules;
    }

    private bool Chance(double p) => _random.NextDouble() < p;

    private List<string> Subset(string[] pool)
    {
        var result = new List<string>();
        foreach (string item in pool)
        {
            if (Chance(0.5))
            {
                result.Add(item);
            }
        }

        return result;
    }
}
