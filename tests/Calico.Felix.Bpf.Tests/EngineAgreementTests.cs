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

    internal static readonly string[] SimpleNets = ["10.0.0.0/8", "10.1.0.0/16", "10.1.2.3/32", "10.1.9.0/24", "192.168.0.0/16", "fd00::/8", "fd00:1::/64", "fd00:1::7/128", "0.0.0.0/0"];
    internal static readonly (string Remote, string Workload)[] SimplePeers =
        [("10.1.2.3", "10.65.0.2"), ("10.1.9.9", "10.65.0.2"), ("10.200.0.1", "10.65.0.2"), ("192.168.4.4", "10.65.0.2"), ("172.16.0.1", "10.65.0.2"),
         ("fd00:1::7", "fd00:65::2"), ("fd00:1::8", "fd00:65::2"), ("fd00:9::1", "fd00:65::2"), ("2001:db8::1", "fd00:65::2")];

    /// <summary>
    /// Mostly simple rules (remote nets or one set, protocol, destination ports, overlapping prefixes with different
    /// ports), now and then a Log, a Pass or a negation between them: runs are merged into trie lookups, split at jump
    /// targets, and the interpreter answers through the entries as the trie does. Both directions, both families.
    /// </summary>
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    [InlineData(16, 4)]
    [InlineData(17, 4)]
    [InlineData(18, 8)]
    public void RandomSimplePolicies_MergedIntoRuns_GiveTheEnginesVerdict(int seed, int chunkLength = 0)
    {
        // A short chunk length cuts these small tables' runs into chunks, a lookup each (the default keeps them whole).
        var random = new Random(seed);
        int runs = 0;
        int cut = 0; // run rules right after a run rule: chunks of one run (or two runs meeting at a jump target)
        for (int round = 0; round < 40; round++)
        {
            var s = RandomState(random, "cali1", simple: true);
            var plan = BpfPolicyCompiler.Compile(s.State, new BpfCompileOptions { RunChunkLength = chunkLength }, new BpfIdAllocator(), new BpfIdAllocator());
            var engine = new PolicyEvaluator(s.State);
            EndpointIntent endpoint = s.State.Endpoints.Values.Single();
            BpfEndpointEntry entry = plan.Endpoints["cali1"];
            runs += plan.Tables.Values.Sum(static t => t.Rules.Count(static r => r.Run != 0));
            cut += plan.Tables.Values.Sum(static t => t.Rules.Skip(1).Where((r, i) => r.Run != 0 && t.Rules[i].Run != 0).Count());
            foreach (var (remote, workload) in SimplePeers)
            {
                foreach (int protocol in new[] { 6, 17, 132 })
                {
                    foreach (int port in Ports.Concat([79, 81, 8081]))
                    {
                        foreach (bool inbound in new[] { true, false })
                        {
                            var (src, dst) = inbound ? (remote, workload) : (workload, remote);
                            var packet = new Packet(IPAddress.Parse(src), IPAddress.Parse(dst), protocol, 40000, port);
                            var expected = engine.Evaluate(endpoint, inbound ? TrafficDirection.Ingress : TrafficDirection.Egress, packet).Verdict == Verdict.Allow ? FlatAction.Allow : FlatAction.Deny;
                            uint table = inbound ? entry.IngressTable : entry.EgressTable;
                            var actual = FlatTableInterpreter.Verdict(plan, table, new TestPacket(src, dst, (byte)protocol, 40000, port));
                            Assert.True(expected == actual, $"seed {seed} round {round}: {src} -> {dst} proto {protocol} port {port}: engine {expected}, table {actual}\n"
                                + string.Join('\n', plan.Tables[table].Rules.Select(r => r.Describe())));
                        }
                    }
                }
            }
        }

        Assert.True(runs >= 40, $"only {runs} merged runs over 40 rounds: the generator no longer exercises merging");
        Assert.True(chunkLength == 0 || cut >= 20, $"only {cut} chunks after another over 40 rounds: chunking is not exercised");
    }

    /// <summary>One workload endpoint on <paramref name="iface"/> with random tiers (some Pass by default), policies and profiles.</summary>
    internal static States RandomState(Random random, string iface, bool simple = false)
    {
        var s = new States()
            .WithIpSet("s:a", "10.1.0.0/16", "192.168.4.4")
            .WithIpSet("s:b", "10.1.2.3", "172.16.0.0/12", "fd00:1::/64")
            .WithIpSet("s:c", "10.0.0.0/8");
        Func<Random, bool, List<RuleModel>> rules = simple ? RandomSimpleRules : static (r, _) => RandomRules(r);
        var tiers = new List<TierIntent>();
        int policy = 0;
        for (int t = random.Next(0, 3); t >= 0; t--)
        {
            var ingress = new List<PolicyKey>();
            for (int p = random.Next(0, 3); p >= 0; p--)
            {
                var key = Policy("p" + policy++, "t" + t);
                s.WithPolicy(key, ingress: rules(random, true), egress: simple ? rules(random, false) : null);
                ingress.Add(key);
            }

            tiers.Add(Tier("t" + t, random.Next(3) == 0 ? RuleAction.Pass : RuleAction.Deny, ingress: random.Next(5) == 0 ? [] : ingress, egress: simple && random.Next(5) != 0 ? ingress : null));
        }

        var profiles = new List<string>();
        for (int p = random.Next(0, 3); p > 0; p--)
        {
            s.WithProfile("prof" + p, inbound: rules(random, true), outbound: simple ? rules(random, false) : null);
            profiles.Add("prof" + p);
        }

        return s.WithEndpoint("wl", iface, tiers, [.. profiles]);
    }

    /// <summary>Runs of simple Allow or Deny rules on the remote side, broken now and then by a Log, a Pass or a negation.</summary>
    internal static List<RuleModel> RandomSimpleRules(Random random, bool inbound)
    {
        var rules = new List<RuleModel>();
        for (int i = random.Next(0, 8); i >= 0; i--)
        {
            int? protocol = random.Next(4) switch { 0 => 6, 1 => 17, 2 => 132, _ => null };
            List<string> nets = random.Next(3) == 0 ? [] : Pick(random, SimpleNets, 2, always: true);
            List<string> sets = nets.Count == 0 && random.Next(2) == 0 ? Pick(random, SetIds, 1, always: true) : [];
            List<PortRange> ports = protocol is null ? [] : random.Next(3) switch
            {
                0 => [],
                1 => [.. Pick(random, Ports, 6, always: true).Select(p => new PortRange(p, p))],
                _ => [.. Pick(random, Ports, 2, always: true).Select(p => new PortRange(p - 1, p + 1))],
            };
            int odd = random.Next(12);
            // Now and then a constraint on the endpoint's own side (not simple: it breaks the run).
            List<string> own = odd == 3 ? ["10.65.0.0/16"] : [];
            rules.Add(new RuleModel
            {
                Action = odd == 0 ? RuleAction.Log : odd == 1 ? RuleAction.Pass : random.Next(3) == 0 ? RuleAction.Deny : RuleAction.Allow,
                IpVersion = random.Next(8) switch { 0 => 4, 1 => 6, _ => null },
                Protocol = protocol,
                NotProtocol = odd == 2 ? 17 : null,
                SrcNets = inbound ? nets : own,
                SrcIpSetIds = inbound ? sets : [],
                DstNets = inbound ? own : nets,
                DstIpSetIds = inbound ? [] : sets,
                DstPorts = ports,
            });
        }

        return rules;
    }

    internal static List<RuleModel> RandomRules(Random random)
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
    private static List<T> Pick<T>(Random random, T[] pool, int max, bool always = false)
    {
        var result = new List<T>();
        if (!always && random.Next(3) != 0)
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
