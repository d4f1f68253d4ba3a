using System.Collections.Immutable;
using Calico.Felix.Calc.Model;
using static Calico.Felix.Bpf.Tests.States;

namespace Calico.Felix.Bpf.Tests;

/// <summary>Merged rule runs: which rules merge, what the trie entries hold, and that verdicts are the unmerged table's.</summary>
[Trait("Tier", "Unit")]
public sealed class RuleRunMergerTests
{
    private static BpfPolicyPlan Compile(States s, BpfIdAllocator? tables = null, BpfIdAllocator? sets = null, bool merge = true) =>
        BpfPolicyCompiler.Compile(s.State, new BpfCompileOptions { MergeRuleRuns = merge }, tables ?? new BpfIdAllocator(), sets ?? new BpfIdAllocator());

    private static FlatAction Ingress(BpfPolicyPlan plan, TestPacket packet) =>
        FlatTableInterpreter.Verdict(plan, plan.Endpoints["cali1"].IngressTable, packet);

    [Fact]
    public void ManySimplePolicies_BecomeAFewChunkLookups_AndTheirNetsLeaveTheSetTrie()
    {
        var keys = new List<PolicyKey>();
        var s = new States();
        for (int i = 0; i < 1000; i++)
        {
            var key = Policy("p" + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture));
            keys.Add(key);
            s.WithPolicy(key, ingress: [new RuleModel { Action = RuleAction.Allow, Protocol = 6, SrcNets = [$"10.128.{i >> 8}.{i & 255}/32"], DstPorts = [new PortRange(80, 80)] }]);
        }

        var plan = Compile(s.WithEndpoint("wl", "cali1", [Tier("default", RuleAction.Deny, ingress: keys)]));
        var rules = plan.Tables[plan.Endpoints["cali1"].IngressTable].Rules;

        // One run of 1,000 rules in content-defined chunks of 16 to 256 rules (average 64 for this length), a lookup each.
        ImmutableArray<FlatRule> chunks = rules[..^2];
        Assert.Equal(["deny", "deny"], rules[^2..].Select(r => r.Describe().Split(' ')[0]));
        Assert.InRange(chunks.Length, 4, 62);
        Assert.All(chunks, r => Assert.Equal((FlatRuleOriginKind.MergedRun, FlatAction.Allow), (r.Origin.Kind, r.Action)));
        Assert.All(chunks[..^1], r => Assert.InRange(r.Origin.RuleIndex, 16, 256));
        Assert.Equal(1000, chunks.Sum(r => r.Origin.RuleIndex));
        BpfRuleRun[] runs = [.. chunks.Select(r => plan.Runs[r.Run])];
        Assert.Equal(1000, runs.Sum(run => run.Entries.Length));
        Assert.All(runs.SelectMany(run => run.Entries), e => Assert.Equal((ushort)6, e.Protocol));
        BpfPortSet port80 = Assert.Single(plan.PortSets.Values);
        Assert.Equal(new PortRange(80, 80), Assert.Single(port80.Ranges));
        Assert.Empty(plan.IpSets); // the nets live on in the run's entries only
        Assert.Equal(FlatAction.Allow, Ingress(plan, TestPacket.Tcp("10.128.3.231", "10.65.0.2", 80)));
        Assert.Equal(FlatAction.Deny, Ingress(plan, TestPacket.Tcp("10.128.3.232", "10.65.0.2", 80)));
        Assert.Equal(FlatAction.Deny, Ingress(plan, TestPacket.Tcp("10.128.3.231", "10.65.0.2", 81)));
        Assert.Equal(FlatAction.Deny, Ingress(plan, TestPacket.Udp("10.128.3.231", "10.65.0.2", 80)));
    }

    [Fact]
    public void APrefixInsideAnother_CarriesItsContainersPorts_SinceOnlyTheLongestMatchAnswers()
    {
        var p = Policy("p");
        var plan = Compile(new States()
            .WithPolicy(p, ingress:
            [
                new RuleModel { Action = RuleAction.Allow, Protocol = 6, SrcNets = ["10.0.0.0/8"], DstPorts = [new PortRange(443, 443)] },
                new RuleModel { Action = RuleAction.Allow, Protocol = 6, SrcNets = ["10.1.2.3/32"], DstPorts = [new PortRange(80, 81)] },
                new RuleModel { Action = RuleAction.Allow, Protocol = 6, SrcNets = ["10.1.0.0/16"], DstPorts = [new PortRange(443, 443)] },
                new RuleModel { Action = RuleAction.Allow, SrcNets = ["192.168.0.0/16"] },
            ])
            .WithEndpoint("wl", "cali1", [Tier("default", RuleAction.Deny, ingress: [p])]));
        var rule = plan.Tables[plan.Endpoints["cali1"].IngressTable].Rules[0];
        Assert.True(rule.RunAnyProtocol);
        BpfRuleRun run = plan.Runs[rule.Run];
        // 10.1.0.0/16 adds nothing to 10.0.0.0/8's ports: left out. 10.1.2.3 holds 80-81 and 443.
        Assert.Equal(["6 10.0.0.0/8 443-443", "6 10.1.2.3/32 80-81,443-443", "256 192.168.0.0/16 any"],
            run.Entries.Select(e => $"{e.Protocol} {e.Prefix} {(e.PortSet == 0 ? "any" : string.Join(',', plan.PortSets[e.PortSet].Ranges.Select(r => $"{r.First}-{r.Last}")))}"));
        Assert.Equal(FlatAction.Allow, Ingress(plan, TestPacket.Tcp("10.1.2.3", "10.65.0.2", 443)));
        Assert.Equal(FlatAction.Allow, Ingress(plan, TestPacket.Tcp("10.1.2.3", "10.65.0.2", 81)));
        Assert.Equal(FlatAction.Deny, Ingress(plan, TestPacket.Tcp("10.1.2.4", "10.65.0.2", 81)));
        Assert.Equal(FlatAction.Allow, Ingress(plan, TestPacket.Udp("192.168.1.1", "10.65.0.2", 9)));
    }

    [Fact]
    public void ARunStopsAtAPassTarget_AndJumpsAreRenumbered()
    {
        // Tier a (default Pass) ends with two simple allows; tier b starts with two: the Pass lands between them.
        var pa = Policy("pa", "a");
        var pb = Policy("pb", "b");
        var s = new States()
            .WithPolicy(pa, ingress:
            [
                new RuleModel { Action = RuleAction.Pass, SrcNets = ["10.0.0.0/8"] },
                new RuleModel { Action = RuleAction.Allow, SrcNets = ["10.0.0.1/32"] },
                new RuleModel { Action = RuleAction.Allow, SrcNets = ["10.0.0.2/32"] },
            ])
            .WithPolicy(pb, ingress:
            [
                new RuleModel { Action = RuleAction.Allow, SrcNets = ["10.0.0.3/32"] },
                new RuleModel { Action = RuleAction.Allow, SrcNets = ["10.0.0.4/32"] },
            ])
            .WithEndpoint("wl", "cali1", [Tier("a", RuleAction.Pass, ingress: [pa]), Tier("b", RuleAction.Deny, ingress: [pb])]);
        var plan = Compile(s);
        var rules = plan.Tables[plan.Endpoints["cali1"].IngressTable].Rules;
        Assert.Equal(5, rules.Length); // goto, run (tier a), run (tier b), end of tier b, final drop
        Assert.Equal((FlatAction.Goto, 2u), (rules[0].Action, rules[0].Jump));
        Assert.True(rules[1].Run != 0 && rules[2].Run != 0 && rules[1].Run != rules[2].Run);
        Assert.Equal(FlatAction.Deny, Ingress(plan, TestPacket.Tcp("10.0.0.1", "10.65.0.2", 80))); // passed to tier b
        Assert.Equal(FlatAction.Allow, Ingress(plan, TestPacket.Tcp("10.0.0.4", "10.65.0.2", 80)));
        Assert.Equal(7, Compile(s, merge: false).Tables.Values.Single(t => t.Rules.Length > 1).Rules.Length);
    }

    [Fact]
    public void ANamedSetsMembersChange_KeepsTheRunAndTable_AndIsAnEntryDelta()
    {
        var tables = new BpfIdAllocator();
        var sets = new BpfIdAllocator();
        var p = Policy("p");
        var s = new States().WithIpSet("s:x", "10.1.0.0/16", "10.9.9.9")
            .WithPolicy(p, ingress:
            [
                new RuleModel { Action = RuleAction.Allow, Protocol = 6, SrcIpSetIds = ["s:x"], DstPorts = [new PortRange(80, 80)] },
                new RuleModel { Action = RuleAction.Allow, Protocol = 6, SrcNets = ["10.1.2.3/32"], DstPorts = [new PortRange(443, 443)] },
            ])
            .WithEndpoint("a", "cali1", [Tier("default", RuleAction.Deny, ingress: [p])]);
        var before = Compile(s, tables, sets);
        Assert.Equal(FlatAction.Allow, Ingress(before, TestPacket.Tcp("10.1.2.3", "10.65.0.2", 80)));
        s.State.Apply(new IpSetDeltaUpdate("s:x", ["10.5.5.5"], ["10.1.0.0/16"]));
        var after = Compile(s, tables, sets);
        Assert.Equal(before.Endpoints["cali1"].IngressTable, after.Endpoints["cali1"].IngressTable);
        Assert.Equal(before.Runs.Keys, after.Runs.Keys);
        Assert.Equal(FlatAction.Deny, Ingress(after, TestPacket.Tcp("10.1.2.3", "10.65.0.2", 80)));
        Assert.Equal(FlatAction.Allow, Ingress(after, TestPacket.Tcp("10.5.5.5", "10.65.0.2", 80)));

        static Dictionary<uint, BpfEndpointEntry> Resolve(BpfPolicyPlan plan) => BpfPlanDiff.Resolve(plan, _ => 11u);
        var ops = BpfPlanDiff.Between(before, Resolve(before), after, Resolve(after));
        // New port set {443} for 10.1.2.3 (it lost the /16's 80), then: the /16 deleted, 10.1.2.3 re-pointed, 10.5.5.5 added;
        // then the port set {80, 443} no longer used. No rule, no endpoint written.
        Assert.Equal(
            ["update cali_run_ports", "delete cali_runs", "update cali_runs", "update cali_runs", "delete cali_run_ports", "delete cali_run_ports"],
            ops.Select(o => (o is BpfMapUpdate ? "update " : "delete ") + o.Map));
        // What to retain covers the runs, their port sets and the sets only merged rules named (their ids stay put).
        Assert.True(after.Runs.Values.Select(r => r.ContentKey).Concat(after.PortSets.Values.Select(ps => ps.ContentKey)).Append("ipset:s:x").Append("nets:10.1.2.3/32").ToHashSet().IsSubsetOf(after.SetContentKeys));
    }

    [Fact]
    public void FromNothing_PortSetsAndRunsAreWrittenBeforeTheTablesThatReadThem()
    {
        var p = Policy("p");
        var plan = Compile(new States()
            .WithPolicy(p, ingress:
            [
                new RuleModel { Action = RuleAction.Deny, Protocol = 17, SrcNets = ["10.0.0.0/8"], DstPorts = [new PortRange(53, 53)] },
                new RuleModel { Action = RuleAction.Deny, SrcNets = ["fd00::/8"] },
            ])
            .WithEndpoint("a", "cali1", [Tier("default", RuleAction.Deny, ingress: [p])]));
        var ops = BpfPlanDiff.Between(null, new Dictionary<uint, BpfEndpointEntry>(), plan, BpfPlanDiff.Resolve(plan, _ => 11u));
        Assert.Equal(
            ["update cali_run_ports", "update cali_runs", "update cali_runs", .. Enumerable.Repeat("update cali_rules", 4), "update cali_eps"],
            ops.Select(o => (o is BpfMapUpdate ? "update " : "delete ") + o.Map));
    }

    [Fact]
    public void ARunOverEmptySets_IsLeftOut_AndARestartedAgentSeesEveryRunAndPortSetId()
    {
        var p = Policy("p");
        var s = new States().WithIpSet("s:empty").WithIpSet("s:none")
            .WithPolicy(p, ingress:
            [
                new RuleModel { Action = RuleAction.Deny, SrcIpSetIds = ["s:empty"] },
                new RuleModel { Action = RuleAction.Deny, SrcIpSetIds = ["s:none"] },
                new RuleModel { Action = RuleAction.Allow, Protocol = 6, SrcNets = ["10.0.0.1/32"], DstPorts = [new PortRange(80, 80)] },
                new RuleModel { Action = RuleAction.Allow, Protocol = 6, SrcNets = ["10.0.0.2/32"], DstPorts = [new PortRange(80, 80)] },
            ])
            .WithEndpoint("wl", "cali1", [Tier("default", RuleAction.Deny, ingress: [p])]);
        var plan = Compile(s);
        var rules = plan.Tables[plan.Endpoints["cali1"].IngressTable].Rules;
        Assert.Equal(3, rules.Length); // the Allow run, end of tier, final drop: the empty Deny run matches nothing
        Assert.All(plan.Runs.Values, r => Assert.NotEmpty(r.Entries));
        Assert.Equal(FlatAction.Allow, Ingress(plan, TestPacket.Tcp("10.0.0.2", "10.65.0.2", 80)));

        var ops = BpfPlanDiff.Between(null, new Dictionary<uint, BpfEndpointEntry>(), plan, BpfPlanDiff.Resolve(plan, _ => 11u));
        List<byte[]> KeysOf(string map) => [.. ops.Where(o => o.Map == map).Select(o => o.Key)];
        var (_, set) = BpfResync.HighestIds(KeysOf(BpfMapLayout.RuleMap), [], KeysOf(BpfMapLayout.IpSetMap), KeysOf(BpfMapLayout.RunMap), KeysOf(BpfMapLayout.RunPortMap));
        Assert.Equal(plan.Runs.Keys.Concat(plan.PortSets.Keys).Max(), set);
    }
}
