using System.Net;
using Calico.Felix.Calc.Model;
using Calico.Reachability;
using static Calico.Felix.Bpf.Tests.States;

namespace Calico.Felix.Bpf.Tests;

/// <summary>
/// The compiled tables against the policy engine (Calico.Reachability's PolicyEvaluator, what conformance --engine and
/// calicoctl policy simulate use): random tiers, policies, profiles and rules, random packets, the same verdict. Rules
/// are drawn wide enough to need alternatives and guards (up to 6 ranges, 3 sets per list).
/// </summary>
[Trait("Tier", "Unit")]
public sealed class EngineAgreementTests
{
    internal static readonly string[] Nets = ["10.0.0.0/8", "10.1.0.0/16", "10.1.2.3/32", "192.168.0.0/16", "fd00::/8"];
    internal static readonly string[] SetIds = ["s:a", "s:b", "s:c"];
    internal static readonly string[] Addresses = ["10.1.2.3", "10.1.9.9", "10.200.0.1", "192.168.4.4", "172.16.0.1"];
    internal static readonly int[] Ports = [22, 53, 80, 443, 8080, 9000];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void RandomPolicies_GiveTheEnginesVerdict_ForEveryPacket(int seed)
    {
        var random = new Random(seed);
        for (int round = 0; round < 40; round++)
        {
            var s = RandomState(random, "cali1");
            var plan = BpfPolicyCompiler.Compile(s.State, new BpfCompileOptions(), new BpfIdAllocator(), new BpfIdAllocator());
            var engine = new PolicyEvaluator(s.State);
            EndpointIntent endpoint = s.State.Endpoints.Values.Single();
            foreach (string source in Addresses)
            {
                foreach (int protocol in new[] { 6, 17 })
                {
                    foreach (int port in Ports)
                    {
                        var packet = new Packet(IPAddress.Parse(source), IPAddress.Parse("10.65.0.2"), protocol, 40000, port);
                        var expected = engine.Evaluate(endpoint, TrafficDirection.Ingress, packet).Verdict == Verdict.Allow ? FlatAction.Allow : FlatAction.Deny;
                        var actual = FlatTableInterpreter.Verdict(plan, plan.Endpoints["cali1"].IngressTable, new TestPacket(source, "10.65.0.2", (byte)protocol, 40000, port));
                        Assert.True(expected == actual, $"seed {seed} round {round}: {source} proto {protocol} port {port}: engine {expected}, table {actual}\n"
                            + string.Join('\n', plan.Tables[plan.Endpoints["cali1"].IngressTable].Rules.Select(r => r.Describe())));
                    }
                }
            }
        }
    }

    /// <summary>One workload endpoint on <paramref name="iface"/> with random tiers (some Pass by default), policies and profiles.</summary>
    internal static States RandomState(Random random, string iface)
    {
        var s = new States()
            .WithIpSet("s:a", "10.1.0.0/16", "192.168.4.4")
            .WithIpSet("s:b", "10.1.2.3", "172.16.0.0/12")
            .WithIpSet("s:c", "10.0.0.0/8");
        var tiers = new List<TierIntent>();
        int policy = 0;
        for (int t = random.Next(0, 3); t >= 0; t--)
        {
            var ingress = new List<PolicyKey>();
            for (int p = random.Next(0, 3); p >= 0; p--)
            {
                var key = Policy("p" + policy++, "t" + t);
                s.WithPolicy(key, ingress: RandomRules(random));
                ingress.Add(key);
            }

            tiers.Add(Tier("t" + t, random.Next(3) == 0 ? RuleAction.Pass : RuleAction.Deny, ingress: random.Next(5) == 0 ? [] : ingress));
        }

        var profiles = new List<string>();
        for (int p = random.Next(0, 3); p > 0; p--)
        {
            s.WithProfile("prof" + p, inbound: RandomRules(random));
            profiles.Add("prof" + p);
        }

        return s.WithEndpoint("wl", iface, tiers, [.. profiles]);
    }

    private static List<RuleModel> RandomRules(Random random)
    {
        var rules = new List<RuleModel>();
        for (int i = random.Next(0, 4); i >= 0; i--)
        {
            rules.Add(new RuleModel
            {
                Action = (RuleAction)random.Next(4),
                Protocol = random.Next(3) switch { 0 => 6, 1 => 17, _ => null },
                NotProtocol = random.Next(6) == 0 ? 17 : null,
                SrcNets = Pick(random, Nets, 2),
                NotSrcNets = Pick(random, Nets, 1),
                SrcIpSetIds = Pick(random, SetIds, 3),
                NotSrcIpSetIds = Pick(random, SetIds, 3),
                DstPorts = [.. Pick(random, Ports, 6).Select(p => new PortRange(p, p))],
                NotDstPorts = [.. Pick(random, Ports, 6).Select(p => new PortRange(p - 1, p))],
            });
        }

        return rules;
    }

    /// <summary>Usually nothing; sometimes a few distinct items, now and then more than one flat rule holds.</summary>
    private static List<T> Pick<T>(Random random, T[] pool, int max)
    {
        var result = new List<T>();
        if (random.Next(3) != 0)
        {
            return result;
        }

        foreach (T item in pool.OrderBy(_ => random.Next()).Take(random.Next(1, max + 1)))
        {
            result.Add(item);
        }

        return result;
    }
}
