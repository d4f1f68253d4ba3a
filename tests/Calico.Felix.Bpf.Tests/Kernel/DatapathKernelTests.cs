using System.Net;
using Calico.Felix.Bpf;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;
using static Calico.Felix.Bpf.Tests.Kernel.DatapathHarness;
using static Calico.Felix.Bpf.Tests.States;

namespace Calico.Felix.Bpf.Tests.Kernel;

/// <summary>
/// bpf/calico_tc.c in the kernel: loaded through the verifier, its maps filled with the compiler's output, real frames
/// run through BPF_PROG_TEST_RUN on the interfaces of a test namespace.
/// </summary>
[Trait("Tier", "Root")]
public sealed class DatapathKernelTests : IDisposable
{
    private readonly DatapathHarness _dp = new();
    private readonly BpfIdAllocator _tables = new();
    private readonly BpfIdAllocator _sets = new();

    private int _nextPort = 30000;

    private BpfPolicyPlan Compile(States s, EndpointToHostAction toHost = EndpointToHostAction.Drop, bool merge = true, bool chunk = true, int chunkLength = 0) =>
        BpfPolicyCompiler.Compile(s.State, new BpfCompileOptions { DefaultEndpointToHostAction = toHost, MergeRuleRuns = merge, ChunkRuns = chunk, RunChunkLength = chunkLength }, _tables, _sets);

    private BpfPolicyPlan Apply(States s, EndpointToHostAction toHost = EndpointToHostAction.Drop)
    {
        var plan = Compile(s, toHost);
        _dp.Apply(plan);
        return plan;
    }

    /// <summary>Both workloads: wla "a" and wlb "b", each with the given tiers.</summary>
    private static States TwoWorkloads(States s, IReadOnlyList<TierIntent> a, IReadOnlyList<TierIntent> b) =>
        s.WithEndpoint("a", "wla", a).WithEndpoint("b", "wlb", b);

    [Fact]
    public void EveryMap_HasTheKeyAndValueSizesOfTheCSharpLayout()
    {
        foreach (var (name, key, value) in BpfMapLayout.Sizes)
        {
            var map = _dp.Map(name);
            Assert.Equal((name, key, value), (name, map.KeySize, map.ValueSize));
        }

        Assert.Equal(["calico_from_wl", "calico_to_wl", "calico_from_data", "calico_to_data"], _dp.Object.ProgramNames());
        // Every map of the object is in the layout's list (what the applier pins), and checked above.
        Assert.Equal(_dp.Object.MapNames().Order(StringComparer.Ordinal), BpfMapLayout.AllMaps.Order(StringComparer.Ordinal));
        Assert.Equal(BpfMapLayout.AllMaps.Order(StringComparer.Ordinal), BpfMapLayout.Sizes.Select(static e => e.Map).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task IngressPolicy_AllowsAndDenies_ByCidrPortAndProtocol()
    {
        var p = Policy("p");
        Apply(TwoWorkloads(new States().WithPolicy(p, ingress:
            [
                new RuleModel { Action = RuleAction.Deny, SrcNets = ["192.168.1.48/29"], Protocol = 17 },
                new RuleModel { Action = RuleAction.Allow, SrcNets = ["192.168.1.0/24"], Protocol = 6, DstPorts = [new PortRange(80, 81)] },
                new RuleModel { Action = RuleAction.Allow, Protocol = 17 },
            ]), [Tier("default", RuleAction.Deny, ingress: [p])], []));

        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp(Remote, 40000, WorkloadA, 80)));
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp(Remote, 40001, WorkloadA, 82)));     // port
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp("10.9.9.9", 40002, WorkloadA, 80)));  // CIDR (no route back: still policed)
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Udp(Remote, 40003, WorkloadA, 53)));      // denied UDP from the /29
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Udp("192.168.1.20", 40004, WorkloadA, 53))); // other UDP
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.IcmpEcho(Remote, WorkloadA, 7)));         // protocol
        // wlb has no policy and no profile: default deny, both directions.
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wlb", Frames.Tcp(Remote, 40000, WorkloadB, 80)));
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.FromWorkload, "wlb", Frames.Tcp(WorkloadB, 40000, Remote, 80)));
    }

    [Fact]
    public async Task TiersWithPass_AndSelectorsThroughIpSets()
    {
        var gate = Policy("gate", "security");
        var app = Policy("app", "application");
        Apply(TwoWorkloads(new States()
            .WithIpSet("s:trusted", "192.168.1.0/26")
            .WithPolicy(gate, ingress: [new RuleModel { Action = RuleAction.Pass, SrcIpSetIds = ["s:trusted"] }])
            .WithPolicy(app, ingress: [new RuleModel { Action = RuleAction.Allow, Protocol = 6 }]),
            [Tier("security", RuleAction.Deny, ingress: [gate]), Tier("application", RuleAction.Deny, ingress: [app])], []));

        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp(Remote, 40000, WorkloadA, 22)));          // passed, then allowed
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Udp(Remote, 40000, WorkloadA, 22)));        // passed, end of tier 2
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp("192.168.1.100", 40000, WorkloadA, 22))); // not trusted: end of tier 1
    }

    [Fact]
    public async Task ASynReusingAClosedConnectionsPorts_MeetsPolicyAgain()
    {
        var p = Policy("p");
        var allow = TwoWorkloads(new States().WithPolicy(p, egress: [new RuleModel { Action = RuleAction.Allow, Protocol = 6, DstPorts = [new PortRange(80, 80)] }]),
            [Tier("default", RuleAction.Deny, egress: [p])], []);
        var plan = Apply(allow);
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp(WorkloadA, 40000, Remote, 80)));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp(Remote, 80, WorkloadA, 40000, Frames.Syn | Frames.Ack)));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp(WorkloadA, 40000, Remote, 80, 0x01 | Frames.Ack))); // FIN

        // The policy now denies; the client reuses its port for a new connection: a SYN, not part of the closed one.
        var deny = TwoWorkloads(new States().WithPolicy(p, egress: [new RuleModel { Action = RuleAction.Deny, Protocol = 6 }]),
            [Tier("default", RuleAction.Deny, egress: [p])], []);
        _dp.Apply(Compile(deny), plan);
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp(WorkloadA, 40000, Remote, 80)));
    }

    [Fact]
    public async Task AnAllowedSyn_LetsItsRepliesThroughConntrack_ThoughTheReverseDirectionsPolicyDenies()
    {
        var p = Policy("p");
        var plan = Apply(TwoWorkloads(new States().WithPolicy(p, egress: [new RuleModel { Action = RuleAction.Allow, Protocol = 6, DstPorts = [new PortRange(80, 80)] }]),
            [Tier("default", RuleAction.Deny, egress: [p])], []));

        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp(WorkloadA, 40000, Remote, 80)));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp(Remote, 80, WorkloadA, 40000, Frames.Syn | Frames.Ack)));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp(WorkloadA, 40000, Remote, 80, Frames.Ack)));
        // The same remote opening its own flow meets wla's ingress policy: none, so the end of the endpoint's chain drops it.
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp(Remote, 80, WorkloadA, 40001)));

        byte[]? value = _dp.Map(BpfMapLayout.ConntrackMap).Lookup(BpfMapLayout.ConntrackKey(IPAddress.Parse(Remote), 80, IPAddress.Parse(WorkloadA), 40000, 6));
        Assert.NotNull(value);
        var entry = BpfMapLayout.ReadConntrackValue(value);
        Assert.Equal(ConntrackState.Established, entry.State);
        Assert.Equal(_dp.Ifindex("wla"), entry.EgressApprovedIfindex);
        Assert.Equal(0u, entry.IngressApprovedIfindex);
        Assert.Equal(ConntrackOpener.Low, entry.Opener); // 10.65.0.2 < 192.168.1.50

        // The allow rule counted the flow's first packet once (later packets are conntrack's).
        uint table = plan.Endpoints["wla"].EgressTable;
        var (packets, _) = BpfMapLayout.ReadCounter(_dp.Map(BpfMapLayout.CounterMap).Lookup(BpfMapLayout.RuleKey(table, 0)) ?? []);
        Assert.Equal(1UL, packets);
    }

    [Fact]
    public async Task AnIcmpErrorAboutAnAllowedFlow_PassesAsRelated_AndOneAboutNoFlowMeetsPolicy()
    {
        var p = Policy("p");
        Apply(TwoWorkloads(new States().WithPolicy(p, egress: [new RuleModel { Action = RuleAction.Allow, Protocol = 6 }]),
            [Tier("default", RuleAction.Deny, egress: [p])], []));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp(WorkloadA, 40000, Remote, 80)));

        // A router on the way says the remote is unreachable: wla's ingress policy (none) would drop it; related passes.
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.IcmpUnreachable("192.168.1.254", WorkloadA, WorkloadA, 40000, Remote, 80)));
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.IcmpUnreachable("192.168.1.254", WorkloadA, WorkloadA, 40001, Remote, 80)));
        // Related only at the hooks that took part: wlb's side never saw the flow.
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wlb", Frames.IcmpUnreachable("192.168.1.254", WorkloadB, WorkloadA, 40000, Remote, 80)));
    }

    [Fact]
    public async Task AnIcmpv6ErrorAboutAnAllowedFlow_PassesAsRelated_AndOneAboutNoFlowMeetsPolicy()
    {
        var p = Policy("p");
        Apply(TwoWorkloads(new States().WithPolicy(p, egress: [new RuleModel { Action = RuleAction.Allow, Protocol = 6 }]),
            [Tier("default", RuleAction.Deny, egress: [p])], []));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp6(WorkloadA6, 40000, Remote6, 80)));

        // Packet too big (2) and unreachable (1) about the allowed flow pass as related; about another flow, policy (none) drops.
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Icmp6Error("fd00:1::fe", WorkloadA6, 2, WorkloadA6, 40000, Remote6, 80)));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Icmp6Error("fd00:1::fe", WorkloadA6, 1, WorkloadA6, 40000, Remote6, 80)));
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Icmp6Error("fd00:1::fe", WorkloadA6, 2, WorkloadA6, 40001, Remote6, 80)));
    }

    [Fact]
    public async Task Ipv6_IsPolicedLikeIpv4_ThroughExtensionHeaders_WithRepliesByConntrack()
    {
        var p = Policy("p");
        Apply(TwoWorkloads(new States().WithPolicy(p, ingress:
            [
                new RuleModel { Action = RuleAction.Allow, Protocol = 6, SrcNets = ["fd00:1::/64"], DstPorts = [new PortRange(443, 443)] },
                new RuleModel { Action = RuleAction.Allow, Protocol = 58, IcmpType = 128 },
            ]), [Tier("default", RuleAction.Deny, ingress: [p])], []));

        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp6(Remote6, 40000, WorkloadA6, 443)));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp6(Remote6, 40001, WorkloadA6, 443, hopByHop: true)));
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp6(Remote6, 40002, WorkloadA6, 80)));
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp6("fd00:9::1", 40003, WorkloadA6, 443)));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Icmp6(Remote6, WorkloadA6, 128, id: 5)));
        // Replies go out through conntrack though wla has no egress policy.
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp6(WorkloadA6, 443, Remote6, 40000, Frames.Syn | Frames.Ack)));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Icmp6(WorkloadA6, Remote6, 129, id: 5)));
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp6(WorkloadA6, 40000, Remote6, 443)));
        var entry = BpfMapLayout.ReadConntrackValue(_dp.Map(BpfMapLayout.ConntrackMap).Lookup(
            BpfMapLayout.ConntrackKey(IPAddress.Parse(Remote6), 40000, IPAddress.Parse(WorkloadA6), 443, 6))!);
        Assert.Equal((ConntrackState.Established, _dp.Ifindex("wla")), (entry.State, entry.IngressApprovedIfindex));
    }

    [Fact]
    public async Task Ipv6NeighbourDiscovery_WithTheHost_PassesBeforePolicy_OtherHostTrafficMeetsDefaultEndpointToHostAction()
    {
        Apply(TwoWorkloads(new States(), [], []));
        // Neighbour solicitation to the solicited-node group, router solicitation: no policy at all, still passed.
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Icmp6("fe80::2", "ff02::1:ff00:1", 135)));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Icmp6("fe80::2", "ff02::2", 133)));
        // An echo to the host is no ND: egress policy (none) denies.
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Icmp6(WorkloadA6, HostAddress6, 128, id: 1)));
        // The host's link-local neighbour advertisement to the workload is host traffic: not policed.
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Icmp6("fe80::1", "fe80::2", 136)));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp6(HostAddress6, 40000, WorkloadA6, 22)));
        // A remote is not the host.
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp6(Remote6, 40000, WorkloadA6, 22)));
    }

    [Fact]
    public async Task LaterFragments_FollowTheirFirstFragmentsFlow_ThroughPortPolicy_AndOnesWithoutAFirstMeetItPortless()
    {
        // Ingress allows UDP to port 53 only: a datagram's later fragments (no UDP header) pass because their first
        // fragment's ports were kept (cali_frags) and its flow allowed, as nft's defragmented conntrack would.
        var p = Policy("p");
        Apply(TwoWorkloads(new States().WithPolicy(p, ingress: [new RuleModel { Action = RuleAction.Allow, Protocol = 17, DstPorts = [new PortRange(53, 53)] }]),
            [Tier("default", RuleAction.Deny, ingress: [p])], []));

        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.UdpFragment(Remote, 5353, WorkloadA, 53, id: 77, offset8: 0, more: true)));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.UdpFragment(Remote, 5353, WorkloadA, 53, id: 77, offset8: 3, more: true)));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.UdpFragment(Remote, 5353, WorkloadA, 53, id: 77, offset8: 6, more: false)));

        // A denied datagram's later fragments are denied too (they meet policy with the first's port, 54).
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.UdpFragment(Remote, 5353, WorkloadA, 54, id: 78, offset8: 0, more: true)));
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.UdpFragment(Remote, 5353, WorkloadA, 54, id: 78, offset8: 3, more: false)));

        // A later fragment whose first never came has no ports: the port rule cannot match it.
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.UdpFragment(Remote, 5353, WorkloadA, 53, id: 79, offset8: 3, more: false)));

        // IPv6 alike, through the fragment header's identification.
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Udp6Fragment(Remote6, 5353, WorkloadA6, 53, id: 0x1234567, offset8: 0, more: true)));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Udp6Fragment(Remote6, 5353, WorkloadA6, 53, id: 0x1234567, offset8: 4, more: false)));
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Udp6Fragment(Remote6, 5353, WorkloadA6, 53, id: 0x1234568, offset8: 4, more: false)));
    }

    [Fact]
    public async Task AnIdleConntrackEntry_PastItsTimeout_AllowsNothing_AndPolicyDecidesAgain()
    {
        var p = Policy("p");
        Apply(TwoWorkloads(new States().WithPolicy(p, egress: [new RuleModel { Action = RuleAction.Allow, Protocol = 17 }]),
            [Tier("default", RuleAction.Deny, egress: [p])], []));
        var ct = _dp.Map(BpfMapLayout.ConntrackMap);
        byte[] key = BpfMapLayout.ConntrackKey(IPAddress.Parse(WorkloadA), 5000, IPAddress.Parse(Remote), 53, 17);
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Udp(WorkloadA, 5000, Remote, 53)));
        var fresh = BpfMapLayout.ReadConntrackValue(ct.Lookup(key)!);

        // The same flow, idle since boot (last seen at 1 ns): far past UDP's 60 s. The reply is no reply any more...
        ct.Update(key, BpfMapLayout.ConntrackValue(fresh with { CreatedNs = 1, LastSeenNs = 1 }));
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Udp(Remote, 53, WorkloadA, 5000)));
        Assert.Null(ct.Lookup(key));
        // ...and the workload sending again is a new flow that policy allows, tracked afresh.
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Udp(WorkloadA, 5000, Remote, 53)));
        Assert.True(BpfMapLayout.ReadConntrackValue(ct.Lookup(key)!).CreatedNs > 1);
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Udp(Remote, 53, WorkloadA, 5000)));
    }

    [Fact]
    public async Task AWorkloadsNewFlow_FromAnAddressNotRoutedToIt_IsDropped_EvenWhenPolicyAllowsAll()
    {
        var p = Policy("p");
        Apply(TwoWorkloads(new States().WithPolicy(p, egress: [new RuleModel { Action = RuleAction.Allow }]),
            [Tier("default", RuleAction.Deny, egress: [p])], []));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp(WorkloadA, 40000, Remote, 80)));
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp(WorkloadB, 40000, Remote, 80)));   // wlb's
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp("10.99.0.1", 40000, Remote, 80)));  // no route
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp6(WorkloadA6, 40000, Remote6, 80)));
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp6(WorkloadB6, 40000, Remote6, 80)));
        // Forging the remote's reply to a flow of wla's, from wlb: that flow was never allowed at wlb.
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.FromWorkload, "wlb", Frames.Tcp(Remote, 80, WorkloadA, 40000, Frames.Syn | Frames.Ack)));
        var (spoofed, _) = BpfMapLayout.ReadCounter(_dp.Map(BpfMapLayout.ReasonMap).Lookup(BitConverter.GetBytes(11u)));
        Assert.Equal(4UL, spoofed);
    }

    [Fact]
    public async Task AnIpSetMembershipChange_IsAMemberDelta_TheTableStays_AndNewFlowsFollowIt()
    {
        var p = Policy("p");
        var s = TwoWorkloads(new States()
            .WithIpSet("s:clients", Remote + "/32")
            .WithPolicy(p, ingress: [new RuleModel { Action = RuleAction.Log }, new RuleModel { Action = RuleAction.Allow, SrcIpSetIds = ["s:clients"] }]),
            [Tier("default", RuleAction.Deny, ingress: [p])], []);
        var before = Apply(s);
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp(Remote, 40000, WorkloadA, 80)));
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp("192.168.1.60", 40000, WorkloadA, 80)));

        s.State.Apply(new IpSetDeltaUpdate("s:clients", ["192.168.1.60/32"], [Remote + "/32"]));
        var after = Compile(s);
        var ops = BpfPlanDiff.Between(before, BpfPlanDiff.Resolve(before, _ => null), after, BpfPlanDiff.Resolve(after, _ => null));
        Assert.Equal([BpfMapLayout.IpSetMap, BpfMapLayout.IpSetMap], ops.Select(o => o.Map)); // one delete, one add: nothing else
        _dp.Apply(after, before);

        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp(Remote, 40001, WorkloadA, 80)));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp("192.168.1.60", 40001, WorkloadA, 80)));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp(Remote, 40000, WorkloadA, 80, Frames.Ack))); // established

        // The Log rule counted each of the four new flows; the Allow rule the two it allowed.
        uint table = after.Endpoints["wla"].IngressTable;
        var counters = _dp.Map(BpfMapLayout.CounterMap);
        Assert.Equal(4UL, BpfMapLayout.ReadCounter(counters.Lookup(BpfMapLayout.RuleKey(table, 0))).Packets);
        Assert.Equal(2UL, BpfMapLayout.ReadCounter(counters.Lookup(BpfMapLayout.RuleKey(table, 1))).Packets);
    }

    [Fact]
    public async Task BetweenLocalWorkloads_BothPoliciesApply_AndRepliesNeedTheFlowCompleted()
    {
        var allowAll = Policy("allow-all");
        var denyIn = Policy("deny-in");
        Apply(TwoWorkloads(new States()
            .WithPolicy(allowAll, ingress: [new RuleModel { Action = RuleAction.Allow }], egress: [new RuleModel { Action = RuleAction.Allow }])
            .WithPolicy(denyIn, ingress: [new RuleModel { Action = RuleAction.Deny }]),
            [Tier("default", RuleAction.Deny, ingress: [allowAll], egress: [allowAll])],
            [Tier("default", RuleAction.Deny, ingress: [denyIn])]));

        // a -> b: a's egress allows, b's ingress denies (at b's hook: with no pools given, a's hook does not evaluate
        // b's ingress policy itself; the fast path tests in tests/Calico.Felix.Dataplane.Tests give pools).
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp(WorkloadA, 40000, WorkloadB, 80)));
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wlb", Frames.Tcp(WorkloadA, 40000, WorkloadB, 80)));
        // b answering is no reply of an accepted flow: b's egress (none: drop) decides.
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.FromWorkload, "wlb", Frames.Tcp(WorkloadB, 80, WorkloadA, 40000, Frames.Syn | Frames.Ack)));

        // b -> a: b has no egress policy at all: dropped at b.
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.FromWorkload, "wlb", Frames.Tcp(WorkloadB, 40001, WorkloadA, 80)));
    }

    [Fact]
    public async Task APolicyFlip_GivesNewFlowsTheNewVerdict_WhileTheEstablishedFlowContinues()
    {
        var p = Policy("p");
        var s = TwoWorkloads(new States().WithPolicy(p, ingress: [new RuleModel { Action = RuleAction.Allow, Protocol = 6 }]),
            [Tier("default", RuleAction.Deny, ingress: [p])], []);
        var before = Apply(s);
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp(Remote, 40000, WorkloadA, 80)));

        s.WithPolicy(p, ingress: [new RuleModel { Action = RuleAction.Deny, Protocol = 6 }]);
        var after = Compile(s);
        Assert.NotEqual(before.Endpoints["wla"].IngressTable, after.Endpoints["wla"].IngressTable);
        _dp.Apply(after, before);

        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp(Remote, 40000, WorkloadA, 80, Frames.Ack)));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp(WorkloadA, 80, Remote, 40000, Frames.Syn | Frames.Ack)));
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp(Remote, 40001, WorkloadA, 80)));
        // The old table is gone from the map: only the new tables' rules remain.
        int expected = after.Tables.Values.Sum(t => t.Rules.Length);
        Assert.Equal(expected, _dp.Map(BpfMapLayout.RuleMap).Keys().Count);
    }

    [Fact]
    public async Task AnUnknownInterface_Drops_AndNonIpPasses_AndTruncatedIpv6Drops()
    {
        Apply(TwoWorkloads(new States().WithProfile("open", inbound: [new RuleModel { Action = RuleAction.Allow }]), [], []));
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "eth0", Frames.Tcp(Remote, 40000, WorkloadA, 80)));
        Assert.Equal(TcActShot, _dp.ToWorkload.TestRun(Frames.Tcp(Remote, 40000, WorkloadA, 80)).ReturnValue); // loopback
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Arp()));
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.TruncatedIpv6()));
        var (drops, _) = BpfMapLayout.ReadCounter(_dp.Map(BpfMapLayout.ReasonMap).Lookup(BitConverter.GetBytes(0u)) ?? []);
        Assert.Equal(2UL, drops);
    }

    /// <summary>
    /// DefaultEndpointToHostAction is left to the table's INPUT chain (only there is a packet known to stay on the host,
    /// not DNATed to a workload by a host port): the program applies the egress policy only.
    /// </summary>
    [Theory]
    [InlineData(EndpointToHostAction.Drop, TcActOk)]
    [InlineData(EndpointToHostAction.Accept, TcActOk)]
    [InlineData(EndpointToHostAction.Return, TcActOk)]
    public async Task TrafficToTheHost_AfterEgressPolicy_IsLeftToTheTablesDefaultEndpointToHostAction(EndpointToHostAction action, int expected)
    {
        var p = Policy("p");
        Apply(TwoWorkloads(new States().WithPolicy(p, egress: [new RuleModel { Action = RuleAction.Allow }]),
            [Tier("default", RuleAction.Deny, egress: [p])], []), action);
        Assert.Equal(expected, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp(WorkloadA, 40000, HostAddress, 179)));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp(WorkloadA, 40000, Remote, 179)));  // forwarded: policy only
    }

    [Fact]
    public async Task TrafficFromTheHost_IsNotPoliced_AndItsRepliesPass()
    {
        Apply(TwoWorkloads(new States(), [], []));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.IcmpEcho(HostAddress, WorkloadA, 9)));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.IcmpEcho(WorkloadA, HostAddress, 9, reply: true)));
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.IcmpEcho(WorkloadA, HostAddress, 10)));
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(10_000)]
    public async Task ManyPolicies_LoadAsData_AndTheLastRuleStillDecides_WalkedMergedOrChunked(int count)
    {
        var keys = new List<PolicyKey>();
        var s = new States();
        for (int i = 0; i < count; i++)
        {
            var key = Policy("p" + i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture));
            keys.Add(key);
            // Each policy allows one /32 of 10.128.0.0/14 on TCP 80 (the benchmark's shape: many simple policies).
            string net = $"10.{128 + (i >> 16)}.{(i >> 8) & 255}.{i & 255}/32";
            s.WithPolicy(key, ingress: [new RuleModel { Action = RuleAction.Allow, Protocol = 6, SrcNets = [net], DstPorts = [new PortRange(80, 80)] }]);
        }

        TwoWorkloads(s, [Tier("default", RuleAction.Deny, ingress: keys)], []);
        int last = count - 1;
        string lastSource = $"10.{128 + (last >> 16)}.{(last >> 8) & 255}.{last & 255}";
        string deniedSource = $"10.{128 + (count >> 16)}.{(count >> 8) & 255}.{count & 255}";

        // Unmerged: every rule its own entry, walked one by one.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var walked = Compile(s, merge: false);
        double walkedCompileMs = clock.Elapsed.TotalMilliseconds;
        int walkedWrites = WritesFromNothing(walked);
        _dp.Apply(walked);
        Assert.Equal(count + 2, walked.Tables[walked.Endpoints["wla"].IngressTable].Rules.Length);
        var (walkedLast, walkedDenied) = await TimeLastPolicyAndDenial();

        // Merged whole (as before chunking): one run of every rule, one trie lookup; each move is the atomic flip.
        clock.Restart();
        var whole = Compile(s, chunk: false);
        double wholeCompileMs = clock.Elapsed.TotalMilliseconds;
        int wholeWrites = WritesFromNothing(whole);
        _dp.Apply(whole, walked);
        Assert.Equal(3, whole.Tables[whole.Endpoints["wla"].IngressTable].Rules.Length);
        var (wholeLast, wholeDenied) = await TimeLastPolicyAndDenial();

        // Merged in content-defined chunks (the default): a lookup per chunk.
        clock.Restart();
        var chunked = Compile(s);
        double chunkedCompileMs = clock.Elapsed.TotalMilliseconds;
        int chunkedWrites = WritesFromNothing(chunked);
        _dp.Apply(chunked, whole);
        int chunks = chunked.Tables[chunked.Endpoints["wla"].IngressTable].Rules.Count(static r => r.Run != 0);
        Assert.InRange(chunks, 2, count / 16);
        var (chunkedLast, chunkedDenied) = await TimeLastPolicyAndDenial();
        Console.WriteLine($"{count + 2}-rule walk: first packet allowed by the last policy {walkedLast:F0} us; denied at the end, mean of 500: {walkedDenied:F1} us");
        Console.WriteLine($"merged into 1 run (3 rules): first packet allowed by the last policy {wholeLast:F1} us; denied at the end, mean of 500: {wholeDenied:F1} us");
        Console.WriteLine($"merged into {chunks} chunks ({chunks + 2} rules): first packet allowed by the last policy {chunkedLast:F1} us; denied at the end, mean of 500: {chunkedDenied:F1} us");
        Console.WriteLine($"compile: walked {walkedCompileMs:F0} ms, {walkedWrites} map writes from nothing; whole run {wholeCompileMs:F0} ms, {wholeWrites} writes; chunked {chunkedCompileMs:F0} ms, {chunkedWrites} writes");

        static int WritesFromNothing(BpfPolicyPlan plan) =>
            BpfPlanDiff.Between(null, new Dictionary<uint, BpfEndpointEntry>(), plan, BpfPlanDiff.Resolve(plan, static _ => 1u)).Count;

        async Task<(double Last, double Denied)> TimeLastPolicyAndDenial()
        {
            // The last policy's source: the walk goes through every rule (or chunk) before it. A fresh source port each time: a new flow.
            var allowed = await _dp.RunFullAsync(_dp.ToWorkload, "wla", Frames.Tcp(lastSource, _nextPort++, WorkloadA, 80));
            Assert.Equal(TcActOk, allowed.ReturnValue);
            // A denied flow leaves no conntrack entry, so every repeat evaluates the whole table: the kernel's mean per run.
            var denied = await _dp.RunFullAsync(_dp.ToWorkload, "wla", Frames.Tcp(deniedSource, 40000, WorkloadA, 80), repeat: 500);
            Assert.Equal(TcActShot, denied.ReturnValue);
            return (allowed.DurationPerRun.TotalMicroseconds, denied.DurationPerRun.TotalMicroseconds);
        }
    }

    [Fact]
    public async Task AMergedRunsNamedSet_Changes_ByEntryDelta_AndTheOldPortSetIsGone()
    {
        var p = Policy("p");
        var s = new States().WithIpSet("s:x", "10.1.0.0/16", "fd00:1::/64")
            .WithPolicy(p, ingress:
            [
                new RuleModel { Action = RuleAction.Allow, Protocol = 6, SrcIpSetIds = ["s:x"], DstPorts = [new PortRange(80, 80)] },
                new RuleModel { Action = RuleAction.Allow, Protocol = 6, SrcNets = ["10.1.2.3/32"], DstPorts = [new PortRange(443, 443)] },
            ]);
        var before = Apply(TwoWorkloads(s, [Tier("default", RuleAction.Deny, ingress: [p])], []));
        Assert.Single(before.Runs);
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp("10.1.2.3", 40001, WorkloadA, 80)));   // the /16's port
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp("10.1.2.3", 40002, WorkloadA, 443)));  // its own
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp6("fd00:1::9", 40003, WorkloadA6, 80)));
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp("10.1.2.3", 40004, WorkloadA, 22)));

        s.State.Apply(new IpSetDeltaUpdate("s:x", ["10.5.5.5"], ["10.1.0.0/16"]));
        var after = Compile(s);
        Assert.Equal(before.Endpoints["wla"].IngressTable, after.Endpoints["wla"].IngressTable); // no flip: an entry delta
        _dp.Apply(after, before);
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp("10.1.2.3", 40005, WorkloadA, 80)));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp("10.1.2.3", 40006, WorkloadA, 443)));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp("10.5.5.5", 40007, WorkloadA, 80)));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp6("fd00:1::9", 40008, WorkloadA6, 80)));
        foreach (BpfPortSet gone in before.PortSets.Values.Where(ps => !after.PortSets.ContainsKey(ps.Id)))
        {
            foreach (var (word, _) in BpfMapLayout.PortWords(gone.Ranges))
            {
                Assert.Null(_dp.Map(BpfMapLayout.RunPortMap).Lookup(BpfMapLayout.RunPortKey(gone.Id, word)));
            }
        }

        Assert.Null(_dp.Map(BpfMapLayout.RunMap).Lookup(BpfMapLayout.RunKey(after.Runs.Keys.Single(), 6, IpSetMember.Parse("10.1.0.0/16"))));
    }

    [Fact]
    public async Task RandomSimplePolicies_MergedIntoRuns_InTheKernel_GiveThePolicyEnginesVerdict()
    {
        // The C run lookup (trie, port words, any-protocol key) against the engine, both directions and families.
        var random = new Random(17);
        BpfPolicyPlan? previous = null;
        int allowed = 0;
        int packets = 0;
        int runs = 0;
        for (int round = 0; round < 8; round++)
        {
            var s = EngineAgreementTests.RandomState(random, "wla", simple: true);
            var plan = Compile(s, chunkLength: round % 2 == 0 ? 0 : 4); // odd rounds: runs cut into short chunks, a lookup each
            _dp.Apply(plan, previous);
            previous = plan;
            runs += plan.Runs.Count;
            var engine = new Calico.Reachability.PolicyEvaluator(s.State);
            EndpointIntent endpoint = s.State.Endpoints.Values.Single();
            foreach (var (remote, _) in EngineAgreementTests.SimplePeers)
            {
                bool v6 = remote.Contains(':', StringComparison.Ordinal);
                string workload = v6 ? WorkloadA6 : WorkloadA;
                foreach (int protocol in v6 ? new[] { 6 } : new[] { 6, 17 })
                {
                    foreach (int port in EngineAgreementTests.Ports.Concat([79, 81]))
                    {
                        foreach (bool inbound in new[] { true, false })
                        {
                            int sport = _nextPort++;
                            var (src, dst) = inbound ? (remote, workload) : (workload, remote);
                            var packet = new Calico.Reachability.Packet(IPAddress.Parse(src), IPAddress.Parse(dst), protocol, sport, port);
                            var direction = inbound ? Calico.Reachability.TrafficDirection.Ingress : Calico.Reachability.TrafficDirection.Egress;
                            bool expected = engine.Evaluate(endpoint, direction, packet).Verdict == Calico.Reachability.Verdict.Allow;
                            byte[] frame = v6 ? Frames.Tcp6(src, sport, dst, port) : protocol == 6 ? Frames.Tcp(src, sport, dst, port) : Frames.Udp(src, sport, dst, port);
                            int verdict = await _dp.RunAsync(inbound ? _dp.ToWorkload : _dp.FromWorkload, "wla", frame);
                            Assert.True(verdict == (expected ? TcActOk : TcActShot), $"round {round}: {src}:{sport} -> {dst} proto {protocol} port {port}: engine {(expected ? "allow" : "deny")}, kernel {verdict}");
                            allowed += expected ? 1 : 0;
                            packets++;
                        }
                    }
                }
            }
        }

        Assert.InRange(allowed, 1, packets - 1); // both verdicts were exercised
        Assert.True(runs >= 8, $"only {runs} merged runs: the generator no longer exercises merging");
    }

    [Fact]
    public async Task RandomPolicies_InTheKernel_GiveThePolicyEnginesVerdict()
    {
        // The unit tier checks the compiler against the engine through a C# walk of the tables; this checks the C walk.
        var random = new Random(7);
        BpfPolicyPlan? previous = null;
        int sourcePort = 20000;
        int allowed = 0;
        int packets = 0;
        for (int round = 0; round < 8; round++)
        {
            var s = EngineAgreementTests.RandomState(random, "wla");
            var plan = Compile(s);
            _dp.Apply(plan, previous);
            previous = plan;
            var engine = new Calico.Reachability.PolicyEvaluator(s.State);
            EndpointIntent endpoint = s.State.Endpoints.Values.Single();
            foreach (string source in EngineAgreementTests.Addresses)
            {
                foreach (int protocol in new[] { 6, 17 })
                {
                    foreach (int port in EngineAgreementTests.Ports)
                    {
                        // A fresh source port each time: every packet is a new flow, decided by policy, not conntrack.
                        int sport = sourcePort++;
                        var packet = new Calico.Reachability.Packet(IPAddress.Parse(source), IPAddress.Parse(WorkloadA), protocol, sport, port);
                        bool expected = engine.Evaluate(endpoint, Calico.Reachability.TrafficDirection.Ingress, packet).Verdict == Calico.Reachability.Verdict.Allow;
                        byte[] frame = protocol == 6 ? Frames.Tcp(source, sport, WorkloadA, port) : Frames.Udp(source, sport, WorkloadA, port);
                        int verdict = await _dp.RunAsync(_dp.ToWorkload, "wla", frame);
                        Assert.True(verdict == (expected ? TcActOk : TcActShot), $"round {round}: {source}:{sport} proto {protocol} port {port}: engine {(expected ? "allow" : "deny")}, kernel {verdict}");
                        allowed += expected ? 1 : 0;
                        packets++;
                    }
                }
            }
        }

        Assert.InRange(allowed, 1, packets - 1); // both verdicts were exercised
    }

    [Fact]
    public async Task ListedWorkloadAddresses_AnswerTheLocalDestinationAndSourceChecks_UnlistedOnesAskTheFib()
    {
        // wla open both ways; wlb has no policy and no profile (default deny). 10.65.0.7-9 have no route here.
        Apply(TwoWorkloads(new States().WithProfile("open", [new RuleModel { Action = RuleAction.Allow }], [new RuleModel { Action = RuleAction.Allow }]), [], []).WithEndpoint("a", "wla", [], "open"));
        _dp.Map(BpfMapLayout.PoolMap).Update(BpfMapLayout.PoolKey(IPNetwork.Parse("10.65.0.0/16")), BpfMapLayout.PoolValue(true));
        Calico.Linux.Bpf.BpfMap listed = _dp.Map(BpfMapLayout.WorkloadIpMap);

        // Destination: unlisted and unrouted is not a local workload (only wla's egress decides); listed as wlb's, the
        // flow meets wlb's ingress policy at once, which denies.
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp(WorkloadA, 41000, "10.65.0.9", 80)));
        listed.Update(BpfMapLayout.HostIpKey(IPAddress.Parse("10.65.0.9")), BpfMapLayout.WorkloadIpValue(_dp.Ifindex("wlb")));
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp(WorkloadA, 41001, "10.65.0.9", 80)));

        // Source: an unrouted, unlisted source is spoofed; listed as wla's own it passes; listed as wlb's it is still
        // checked against the FIB from wla (and fails).
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp("10.65.0.8", 41002, Remote, 80)));
        listed.Update(BpfMapLayout.HostIpKey(IPAddress.Parse("10.65.0.8")), BpfMapLayout.WorkloadIpValue(_dp.Ifindex("wla")));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp("10.65.0.8", 41003, Remote, 80)));
        listed.Update(BpfMapLayout.HostIpKey(IPAddress.Parse("10.65.0.7")), BpfMapLayout.WorkloadIpValue(_dp.Ifindex("wlb")));
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp("10.65.0.7", 41004, Remote, 80)));
        var spoofed = BpfMapLayout.ReadCounter(_dp.Map(BpfMapLayout.ReasonMap).Lookup(BitConverter.GetBytes(11u))!); // CALI_REASON_SPOOFED
        Assert.Equal(2UL, spoofed.Packets);
    }

    public void Dispose() => _dp.Dispose();
}
