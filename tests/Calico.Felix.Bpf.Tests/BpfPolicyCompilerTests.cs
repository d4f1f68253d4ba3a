using Calico.Api;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;
using static Calico.Felix.Bpf.Tests.States;

namespace Calico.Felix.Bpf.Tests;

[Trait("Tier", "Unit")]
public sealed class BpfPolicyCompilerTests
{
    private static readonly RuleModel AllowAll = new() { Action = RuleAction.Allow };

    private static BpfPolicyPlan Compile(States s, BpfIdAllocator? tables = null, BpfIdAllocator? sets = null, EndpointToHostAction toHost = EndpointToHostAction.Drop, bool merge = true) =>
        BpfPolicyCompiler.Compile(s.State, new BpfCompileOptions { DefaultEndpointToHostAction = toHost, MergeRuleRuns = merge }, tables ?? new BpfIdAllocator(), sets ?? new BpfIdAllocator());

    private static FlatAction Ingress(BpfPolicyPlan plan, TestPacket packet, string iface = "cali1") =>
        FlatTableInterpreter.Verdict(plan, plan.Endpoints[iface].IngressTable, packet);

    private static FlatAction Egress(BpfPolicyPlan plan, TestPacket packet, string iface = "cali1") =>
        FlatTableInterpreter.Verdict(plan, plan.Endpoints[iface].EgressTable, packet);

    [Fact]
    public void NoPolicyAndNoProfile_IsOneDropInEachDirection()
    {
        var plan = Compile(new States().WithEndpoint("wl", "cali1", []));
        var entry = plan.Endpoints["cali1"];
        Assert.Equal(BpfMapLayout.EndpointWorkload, entry.Flags);
        Assert.Equal(EndpointToHostAction.Drop, entry.ToHostAction);
        Assert.Equal(["deny (no profile matched)"], plan.Tables[entry.IngressTable].Rules.Select(r => r.Describe()));
        Assert.Equal(entry.IngressTable, entry.EgressTable); // same content: one table
        Assert.Equal(FlatAction.Deny, Egress(plan, TestPacket.Tcp("10.65.0.2", "10.65.0.3", 80)));
        Assert.Empty(plan.Issues);
    }

    [Fact]
    public void AnEndpointsFlags_SayWhichOfItsTablesHasSourcePortRules_ForTheVerdictCachesKey()
    {
        var p = Policy("p");
        var plan = Compile(new States()
            .WithPolicy(p, egress: [new RuleModel { Action = RuleAction.Allow, Protocol = 17, NotSrcPorts = [new PortRange(53, 53)] }], ingress: [AllowAll])
            .WithEndpoint("wl", "cali1", [Tier("default", RuleAction.Deny, ingress: [p], egress: [p])]));
        var entry = plan.Endpoints["cali1"];
        Assert.Equal(BpfMapLayout.EndpointWorkload | BpfMapLayout.EndpointEgressSourcePorts, entry.Flags);
        Assert.True(plan.Tables[entry.EgressTable].UsesSourcePorts);
        Assert.False(plan.Tables[entry.IngressTable].UsesSourcePorts);
    }

    [Fact]
    public void Pass_SkipsTheRestOfItsTierAndTheEndOfTierDrop_AndUnmatchedTrafficMeetsTheDrop()
    {
        var p1 = Policy("p1", "t1");
        var p2 = Policy("p2", "t1");
        var p3 = Policy("p3", "t2");
        var s = new States()
            .WithPolicy(p1, ingress: [new RuleModel { Action = RuleAction.Pass, SrcNets = ["10.1.0.0/16"] }])
            .WithPolicy(p2, ingress: [new RuleModel { Action = RuleAction.Allow, SrcNets = ["10.1.2.0/24"] }])
            .WithPolicy(p3, ingress: [new RuleModel { Action = RuleAction.Allow, Protocol = 6, DstPorts = [new PortRange(80, 80)] }])
            .WithEndpoint("wl", "cali1", [Tier("t1", RuleAction.Deny, ingress: [p1, p2]), Tier("t2", RuleAction.Deny, ingress: [p3])]);
        var plan = Compile(s);

        // 10.1.2.3 is passed by p1 before p2 could allow it: t2 decides.
        Assert.Equal(FlatAction.Allow, Ingress(plan, TestPacket.Tcp("10.1.2.3", "10.65.0.2", 80)));
        Assert.Equal(FlatAction.Deny, Ingress(plan, TestPacket.Tcp("10.1.2.3", "10.65.0.2", 81)));
        // Not passed, not allowed by t1: t1's end drops it even though t2 would allow it.
        Assert.Equal(FlatAction.Deny, Ingress(plan, TestPacket.Tcp("192.168.1.1", "10.65.0.2", 80)));
        // Egress: no tier has an egress policy, no profile: the final drop.
        Assert.Equal(FlatAction.Deny, Egress(plan, TestPacket.Tcp("10.65.0.2", "10.1.2.3", 80)));

        var rules = plan.Tables[plan.Endpoints["cali1"].IngressTable].Rules;
        Assert.Equal(FlatAction.Goto, rules[0].Action);
        Assert.Equal("end of tier t1", rules[(int)rules[0].Jump - 1].Origin.ToString());
    }

    [Fact]
    public void ATierWithPassDefault_HasNoEndOfTierDrop_AndTheProfilesDecide()
    {
        var p1 = Policy("p1", "t1");
        var s = new States()
            .WithPolicy(p1, egress: [new RuleModel { Action = RuleAction.Deny, Protocol = 17 }])
            .WithProfile("kns.ns", outbound: [AllowAll])
            .WithEndpoint("wl", "cali1", [Tier("t1", RuleAction.Pass, egress: [p1])], "kns.ns");
        var plan = Compile(s);
        Assert.Equal(FlatAction.Allow, Egress(plan, TestPacket.Tcp("10.65.0.2", "8.8.8.8", 443)));
        Assert.Equal(FlatAction.Deny, Egress(plan, TestPacket.Udp("10.65.0.2", "8.8.8.8", 53)));
        Assert.DoesNotContain(plan.Tables[plan.Endpoints["cali1"].EgressTable].Rules, r => r.Origin.Kind == FlatRuleOriginKind.EndOfTier);
    }

    [Fact]
    public void APassInAProfile_GoesToTheNextProfile()
    {
        var s = new States()
            .WithProfile("first", inbound: [new RuleModel { Action = RuleAction.Pass, Protocol = 6 }, new RuleModel { Action = RuleAction.Deny }])
            .WithProfile("second", inbound: [new RuleModel { Action = RuleAction.Allow, Protocol = 6 }])
            .WithEndpoint("wl", "cali1", [], "first", "second", "absent");
        var plan = Compile(s);
        Assert.Equal(FlatAction.Allow, Ingress(plan, TestPacket.Tcp("10.0.0.1", "10.65.0.2", 22)));
        Assert.Equal(FlatAction.Deny, Ingress(plan, TestPacket.Udp("10.0.0.1", "10.65.0.2", 22)));
    }

    [Fact]
    public void LogContinues_AndIsCounted()
    {
        var p = Policy("p");
        var plan = Compile(new States()
            .WithPolicy(p, ingress: [new RuleModel { Action = RuleAction.Log }, AllowAll])
            .WithEndpoint("wl", "cali1", [Tier("default", RuleAction.Deny, ingress: [p])]));
        var (verdict, counted) = FlatTableInterpreter.Walk(plan, plan.Endpoints["cali1"].IngressTable, TestPacket.Tcp("10.0.0.1", "10.65.0.2", 1));
        Assert.Equal(FlatAction.Allow, verdict);
        Assert.Equal([0, 1], counted);
    }

    [Fact]
    public void Negations_OfProtocolNetsPortsAndIcmp_MatchTheComplement()
    {
        var p = Policy("p");
        var plan = Compile(new States()
            .WithPolicy(p, ingress:
            [
                new RuleModel { Action = RuleAction.Deny, NotProtocol = 6, NotSrcNets = ["10.0.0.0/8"] },
                new RuleModel { Action = RuleAction.Deny, Protocol = 6, NotDstPorts = [new PortRange(80, 80), new PortRange(443, 443)] },
                new RuleModel { Action = RuleAction.Allow, Protocol = 6 },
                new RuleModel { Action = RuleAction.Allow, Protocol = 1, NotIcmpType = 8, NotIcmpCode = 0 },
            ])
            .WithEndpoint("wl", "cali1", [Tier("default", RuleAction.Deny, ingress: [p])]));
        Assert.Equal(FlatAction.Deny, Ingress(plan, TestPacket.Udp("192.168.0.1", "10.65.0.2", 53)));   // not TCP, not from 10/8
        Assert.Equal(FlatAction.Deny, Ingress(plan, TestPacket.Udp("10.1.1.1", "10.65.0.2", 53)));      // passes rule 0, end of tier
        Assert.Equal(FlatAction.Allow, Ingress(plan, TestPacket.Tcp("192.168.0.1", "10.65.0.2", 443))); // TCP: rule 0 not; 443 not denied
        Assert.Equal(FlatAction.Deny, Ingress(plan, TestPacket.Tcp("192.168.0.1", "10.65.0.2", 22)));
        Assert.Equal(FlatAction.Allow, Ingress(plan, TestPacket.Icmp("10.1.1.1", "10.65.0.2", 8, 1)));  // type 8 code 1 is not (8, 0)
        Assert.Equal(FlatAction.Deny, Ingress(plan, TestPacket.Icmp("10.1.1.1", "10.65.0.2", 8, 0)));
    }

    [Fact]
    public void IcmpTypeAndCode_Match()
    {
        var p = Policy("p");
        var plan = Compile(new States()
            .WithPolicy(p, egress: [new RuleModel { Action = RuleAction.Allow, Protocol = 1, IcmpType = 3, IcmpCode = 4 }])
            .WithEndpoint("wl", "cali1", [Tier("default", RuleAction.Deny, egress: [p])]));
        Assert.Equal(FlatAction.Allow, Egress(plan, TestPacket.Icmp("10.65.0.2", "10.0.0.1", 3, 4)));
        Assert.Equal(FlatAction.Deny, Egress(plan, TestPacket.Icmp("10.65.0.2", "10.0.0.1", 3, 3)));
        Assert.Equal(4, plan.Tables[plan.Endpoints["cali1"].EgressTable].Rules[0].IpVersion); // ICMP (not v6) is IPv4 only
    }

    [Fact]
    public void ManyPortRanges_BecomeAlternatives_AndManyNegatedRanges_BecomeGuards()
    {
        var p = Policy("p");
        PortRange[] ports = [.. Enumerable.Range(0, 9).Select(i => new PortRange(1000 + (i * 10), 1000 + (i * 10)))];
        var plan = Compile(new States()
            .WithPolicy(p, ingress:
            [
                new RuleModel { Action = RuleAction.Deny, Protocol = 17, NotDstPorts = ports },
                new RuleModel { Action = RuleAction.Allow, Protocol = 6, DstPorts = ports },
            ])
            .WithEndpoint("wl", "cali1", [Tier("default", RuleAction.Deny, ingress: [p])]), merge: false);
        var rules = plan.Tables[plan.Endpoints["cali1"].IngressTable].Rules;
        // Unmerged (merging would make rule 1's alternatives one run). Rule 0: two guards (ranges 5-8, 9) then the rule with ranges 1-4; rule 1: three alternatives; end of tier; final drop.
        Assert.Equal([FlatAction.Next, FlatAction.Next, FlatAction.Deny, FlatAction.Allow, FlatAction.Allow, FlatAction.Allow, FlatAction.Deny, FlatAction.Deny], rules.Select(r => r.Action));
        Assert.All(rules.Take(2), g => Assert.Equal(3u, g.Jump));
        Assert.Equal(FlatAction.Allow, Ingress(plan, TestPacket.Tcp("10.0.0.1", "10.65.0.2", 1080)));
        Assert.Equal(FlatAction.Deny, Ingress(plan, TestPacket.Tcp("10.0.0.1", "10.65.0.2", 1081)));
        Assert.Equal(FlatAction.Deny, Ingress(plan, TestPacket.Udp("10.0.0.1", "10.65.0.2", 53)));      // not one of the nine: denied
        Assert.Equal(FlatAction.Deny, Ingress(plan, TestPacket.Udp("10.0.0.1", "10.65.0.2", 1080)));    // one of them: end of tier
        Assert.Equal(2, rules.Count(r => r.Origin.RuleIndex == 0 && r.Action == FlatAction.Next));
    }

    [Fact]
    public void Selectors_GoThroughIpSets_AndMoreSetsThanOneRuleHolds_AreGuarded()
    {
        var p = Policy("p");
        var plan = Compile(new States()
            .WithIpSet("s:a", "10.1.0.0/16")
            .WithIpSet("s:b", "10.1.2.0/24", "10.9.0.1")
            .WithIpSet("s:c", "10.1.2.3/32")
            .WithPolicy(p, ingress: [new RuleModel { Action = RuleAction.Allow, SrcIpSetIds = ["s:a", "s:b", "s:c"] }])
            .WithEndpoint("wl", "cali1", [Tier("default", RuleAction.Deny, ingress: [p])]));
        Assert.Equal(FlatAction.Allow, Ingress(plan, TestPacket.Tcp("10.1.2.3", "10.65.0.2", 80)));
        Assert.Equal(FlatAction.Deny, Ingress(plan, TestPacket.Tcp("10.1.2.4", "10.65.0.2", 80)));  // not in s:c
        Assert.Equal(FlatAction.Deny, Ingress(plan, TestPacket.Tcp("10.9.0.1", "10.65.0.2", 80)));  // not in s:a
        Assert.Equal(["s:a", "s:b", "s:c"], plan.IpSets.Values.Select(s => s.IpSetId).Order());
        Assert.Equal(["10.1.2.0/24", "10.9.0.1/32"], plan.IpSets.Values.Single(s => s.IpSetId == "s:b").Members.Select(m => m.ToString()));
    }

    [Fact]
    public void NetsOfTheOtherFamily_NeverMatch_AndIpVersionConflictingWithTheProtocol_RendersNothing()
    {
        var p = Policy("p");
        var plan = Compile(new States()
            .WithPolicy(p, ingress:
            [
                new RuleModel { Action = RuleAction.Allow, SrcNets = ["fd00::/64"] },
                new RuleModel { Action = RuleAction.Allow, IpVersion = 6, Protocol = 1 },
                new RuleModel { Action = RuleAction.Allow, Protocol = 6, SrcNets = ["10.0.0.1/8"] },
            ])
            .WithEndpoint("wl", "cali1", [Tier("default", RuleAction.Deny, ingress: [p])]), merge: false);
        Assert.Equal(FlatAction.Deny, Ingress(plan, TestPacket.Udp("10.0.0.1", "10.65.0.2", 1)));
        Assert.Equal(FlatAction.Allow, Ingress(plan, TestPacket.Tcp("10.200.0.1", "10.65.0.2", 1)));
        Assert.DoesNotContain(plan.Tables[plan.Endpoints["cali1"].IngressTable].Rules, r => r.Origin.RuleIndex == 1);
        Assert.Contains(plan.IpSets.Values, s => s.Members.Single().ToString() == "10.0.0.0/8"); // host bits cleared
    }

    [Fact]
    public void NamedPorts_MatchTheirAddressAndPortPairs_AndNegatedOnesExcludeExactlyThem()
    {
        var p = Policy("p");
        var s = new States()
            .WithPolicy(p, ingress:
            [
                new RuleModel { Action = RuleAction.Deny, Protocol = 6, DstNamedPortIpSetIds = ["np:http"] },
                new RuleModel { Action = RuleAction.Allow, Protocol = 17, DstNamedPortIpSetIds = ["np:dns"] },
                new RuleModel { Action = RuleAction.Allow, Protocol = 6, NotDstNamedPortIpSetIds = ["np:http"] },
                new RuleModel { Action = RuleAction.Allow },
            ])
            .WithEndpoint("wl", "cali1", [Tier("default", RuleAction.Deny, ingress: [p])]);
        s.State.Apply(new IpSetUpdate("np:http", IpSetType.IpPort, ["10.65.0.2,tcp:8080", "10.65.0.3,tcp:8080", "10.65.0.2,tcp:9090"]));
        s.State.Apply(new IpSetUpdate("np:dns", IpSetType.IpPort, ["10.65.0.2,udp:53"]));
        var plan = Compile(s);

        Assert.Empty(plan.Issues);
        Assert.Equal(FlatAction.Deny, Ingress(plan, TestPacket.Tcp("10.0.0.1", "10.65.0.2", 8080)));
        Assert.Equal(FlatAction.Deny, Ingress(plan, TestPacket.Tcp("10.0.0.1", "10.65.0.2", 9090)));
        Assert.Equal(FlatAction.Allow, Ingress(plan, TestPacket.Tcp("10.0.0.1", "10.65.0.2", 7070))); // no pair: rule 2
        Assert.Equal(FlatAction.Allow, Ingress(plan, TestPacket.Tcp("10.0.0.1", "10.65.0.4", 8080))); // port of another address
        Assert.Equal(FlatAction.Allow, Ingress(plan, TestPacket.Udp("10.0.0.1", "10.65.0.2", 53)));
        Assert.Contains(plan.Tables[plan.Endpoints["cali1"].IngressTable].Rules, r => r.Origin.RuleIndex == 2);
    }

    [Fact]
    public void NegatedNamedPorts_OnEitherSide_SkipTheRuleForTheirPairsOnly()
    {
        var p = Policy("p");
        var s = new States()
            .WithPolicy(p, ingress:
            [
                new RuleModel { Action = RuleAction.Deny, Protocol = 6, NotDstNamedPortIpSetIds = ["np:http"] },
                new RuleModel { Action = RuleAction.Deny, Protocol = 17, NotSrcNamedPortIpSetIds = ["np:dns"] },
                new RuleModel { Action = RuleAction.Allow },
            ])
            .WithEndpoint("wl", "cali1", [Tier("default", RuleAction.Deny, ingress: [p])]);
        s.State.Apply(new IpSetUpdate("np:http", IpSetType.IpPort, ["10.65.0.2,tcp:8080", "10.65.0.3,tcp:8080", "10.65.0.2,udp:8080"]));
        s.State.Apply(new IpSetUpdate("np:dns", IpSetType.IpPort, ["10.0.0.53,udp:53"]));
        var plan = Compile(s);

        Assert.Empty(plan.Issues);
        Assert.Equal(FlatAction.Allow, Ingress(plan, TestPacket.Tcp("10.0.0.1", "10.65.0.2", 8080))); // an excluded pair
        Assert.Equal(FlatAction.Allow, Ingress(plan, TestPacket.Tcp("10.0.0.1", "10.65.0.3", 8080)));
        Assert.Equal(FlatAction.Deny, Ingress(plan, TestPacket.Tcp("10.0.0.1", "10.65.0.2", 7070)));
        Assert.Equal(FlatAction.Deny, Ingress(plan, TestPacket.Tcp("10.0.0.1", "10.65.0.4", 8080)));
        Assert.Equal(FlatAction.Allow, Ingress(plan, TestPacket.Udp("10.0.0.53", "10.65.0.2", 9999, sport: 53))); // the source pair
        Assert.Equal(FlatAction.Deny, Ingress(plan, TestPacket.Udp("10.0.0.54", "10.65.0.2", 9999, sport: 53)));
        Assert.Equal(FlatAction.Deny, Ingress(plan, TestPacket.Udp("10.0.0.53", "10.65.0.2", 9999, sport: 54)));
    }

    [Fact]
    public void NamedPorts_AMemberComingOrGoing_KeepsTheTable_AndChangesOnlyItsGroupsSet()
    {
        var p = Policy("p");
        States Build(params string[] members)
        {
            var s = new States()
                .WithPolicy(p, ingress: [new RuleModel { Action = RuleAction.Allow, Protocol = 6, DstNamedPortIpSetIds = ["np:http"] }])
                .WithEndpoint("wl", "cali1", [Tier("default", RuleAction.Deny, ingress: [p])]);
            s.State.Apply(new IpSetUpdate("np:http", IpSetType.IpPort, members));
            return s;
        }

        var tables = new BpfIdAllocator();
        var sets = new BpfIdAllocator();
        BpfPolicyPlan before = BpfPolicyCompiler.Compile(Build("10.65.0.2,tcp:8080").State, new BpfCompileOptions(), tables, sets);
        BpfPolicyPlan after = BpfPolicyCompiler.Compile(Build("10.65.0.2,tcp:8080", "10.65.0.3,tcp:8080").State, new BpfCompileOptions(), tables, sets);

        Assert.Equal(before.Endpoints["cali1"].IngressTable, after.Endpoints["cali1"].IngressTable);
        Assert.Equal(FlatAction.Allow, Ingress(after, TestPacket.Tcp("10.0.0.1", "10.65.0.3", 8080)));
        Assert.Equal(FlatAction.Deny, Ingress(before, TestPacket.Tcp("10.0.0.1", "10.65.0.3", 8080)));
    }

    [Fact]
    public void StagedAndMissingPolicies_AreSkipped()
    {
        var staged = Policy("staged");
        var s = new States()
            .WithPolicy(staged, ingress: [AllowAll], staged: new StagedPolicyInfo(StagedAction.Set, new PolicyIdentity(PolicyKinds.GlobalNetworkPolicy, null, "x")))
            .WithEndpoint("wl", "cali1", [Tier("default", RuleAction.Deny, ingress: [staged, Policy("absent")])]);
        var plan = Compile(s);
        Assert.Equal(["deny (end of tier default)", "deny (no profile matched)"], plan.Tables[plan.Endpoints["cali1"].IngressTable].Rules.Select(r => r.Describe()));
    }

    [Fact]
    public void EndpointsWithTheSamePolicies_ShareATable_IdsAreKeptAcrossCompiles_AndAChangeGetsAFreshId()
    {
        var p = Policy("p");
        var s = new States()
            .WithPolicy(p, ingress: [AllowAll])
            .WithEndpoint("a", "cali1", [Tier("default", RuleAction.Deny, ingress: [p])])
            .WithEndpoint("b", "cali2", [Tier("default", RuleAction.Deny, ingress: [p])]);
        var tables = new BpfIdAllocator();
        var first = Compile(s, tables);
        Assert.Equal(first.Endpoints["cali1"].IngressTable, first.Endpoints["cali2"].IngressTable);
        Assert.Equal(2, first.Tables.Count);

        var again = Compile(s, tables);
        Assert.Equal(first.Endpoints["cali1"].IngressTable, again.Endpoints["cali1"].IngressTable);

        s.WithPolicy(p, ingress: [new RuleModel { Action = RuleAction.Deny }]);
        var changed = Compile(s, tables);
        Assert.NotEqual(first.Endpoints["cali1"].IngressTable, changed.Endpoints["cali1"].IngressTable);
        Assert.True(changed.Endpoints["cali1"].IngressTable > first.Endpoints["cali1"].IngressTable);
        Assert.Equal(first.Endpoints["cali1"].EgressTable, changed.Endpoints["cali1"].EgressTable);

        tables.RetainOnly(changed.Tables.Values.Select(t => t.ContentKey).ToHashSet());
        Assert.Equal(2, tables.Count);
        // A content seen before but released gets a new id: ids are never handed out twice.
        s.WithPolicy(p, ingress: [AllowAll]);
        Assert.True(Compile(s, tables).Endpoints["cali1"].IngressTable > changed.Endpoints["cali1"].IngressTable);
    }

    [Fact]
    public void HostEndpointsAndUnusableInterfaces_AreReported_NotCompiled()
    {
        var s = new States().WithEndpoint("wl", "bad name!", []);
        s.State.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(true, null, "eth0-hep"), "eth0", [], [], [], [])));
        var plan = Compile(s, toHost: EndpointToHostAction.Accept);
        Assert.Empty(plan.Endpoints);
        Assert.Equal(2, plan.Issues.Count);
        Assert.Contains(plan.Issues, i => i.Where == "host endpoint eth0-hep");
        Assert.Contains(plan.Issues, i => i.Reason.Contains("'bad name!'", StringComparison.Ordinal));
    }

    [Fact]
    public void DefaultEndpointToHostAction_IsInEveryEntry()
    {
        var plan = Compile(new States().WithEndpoint("wl", "cali1", []), toHost: EndpointToHostAction.Accept);
        Assert.Equal(EndpointToHostAction.Accept, plan.Endpoints["cali1"].ToHostAction);
    }

    [Theory]
    [InlineData("protocol", 300, null, null)]
    [InlineData("protocol", 6, 8, null)]
    [InlineData("destination.ports", 6, null, 70000)]
    public void InvalidRules_AreRefusedNamingTheField(string field, int protocol, int? icmpType, int? port)
    {
        var p = Policy("p");
        var rule = new RuleModel { Action = RuleAction.Allow, Protocol = protocol, IcmpType = icmpType, DstPorts = port is int x ? [new PortRange(1, x)] : [] };
        var s = new States().WithPolicy(p, ingress: [rule]).WithEndpoint("wl", "cali1", [Tier("default", RuleAction.Deny, ingress: [p])]);
        var error = Assert.Throws<ValidationException>(() => Compile(s));
        Assert.Contains("field " + field, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARuleNamingAnIpSetTheStateLacks_IsAContractViolation()
    {
        var p = Policy("p");
        var s = new States().WithPolicy(p, ingress: [new RuleModel { Action = RuleAction.Allow, SrcIpSetIds = ["s:gone"] }])
            .WithEndpoint("wl", "cali1", [Tier("default", RuleAction.Deny, ingress: [p])]);
        Assert.Contains("s:gone", Assert.Throws<InvalidOperationException>(() => Compile(s)).Message, StringComparison.Ordinal);
    }
}
