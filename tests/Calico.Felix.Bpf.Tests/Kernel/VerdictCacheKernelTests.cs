using System.Buffers.Binary;
using Calico.Felix.Bpf;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;
using static Calico.Felix.Bpf.Tests.Kernel.DatapathHarness;
using static Calico.Felix.Bpf.Tests.States;

namespace Calico.Felix.Bpf.Tests.Kernel;

/// <summary>
/// The verdict cache (cali_verdicts, docs/bpf.md "Verdict cache"): a new flow with the fields of an earlier one is
/// decided by the kept verdict, counted as the walk would have been; a policy write followed by calico-node's bump of
/// cali_gen makes every kept verdict stale; a table with source-port rules keys its verdicts on the source port.
/// </summary>
[Trait("Tier", "Root")]
public sealed class VerdictCacheKernelTests : IDisposable
{
    private readonly DatapathHarness _dp = new();
    private readonly BpfIdAllocator _tables = new();
    private readonly BpfIdAllocator _sets = new();

    private BpfPolicyPlan Compile(States s) =>
        BpfPolicyCompiler.Compile(s.State, new BpfCompileOptions { DefaultEndpointToHostAction = EndpointToHostAction.Drop }, _tables, _sets);

    private static States OneWorkload(States s, IReadOnlyList<TierIntent> tiers) => s.WithEndpoint("a", "wla", tiers);

    private ulong Counted(uint table, uint rule) =>
        _dp.Map(BpfMapLayout.CounterMap).Lookup(BpfMapLayout.RuleKey(table, rule)) is { } v ? BpfMapLayout.ReadCounter(v).Packets : 0;

    [Fact]
    public async Task ARepeatedNewFlow_IsDecidedByTheKeptVerdict_CountedAsTheWalk_UntilAPolicyWriteBumpsTheGeneration()
    {
        // Tier 1: a Log rule, then a Pass for the trusted clients; tier 2 allows TCP from them.
        var gate = Policy("gate", "security");
        var app = Policy("app", "application");
        var s = OneWorkload(new States()
            .WithIpSet("s:trusted", Remote + "/32")
            .WithPolicy(gate, ingress: [new RuleModel { Action = RuleAction.Log }, new RuleModel { Action = RuleAction.Pass, SrcIpSetIds = ["s:trusted"] }])
            .WithPolicy(app, ingress: [new RuleModel { Action = RuleAction.Allow, Protocol = 6, SrcIpSetIds = ["s:trusted"] }]),
            [Tier("security", RuleAction.Deny, ingress: [gate]), Tier("application", RuleAction.Deny, ingress: [app])]);
        BpfPolicyPlan before = Compile(s);
        _dp.Apply(before);
        uint table = before.Endpoints["wla"].IngressTable;
        Assert.Equal(BpfMapLayout.EndpointWorkload, before.Endpoints["wla"].Flags); // no source-port rule: sport not in the key

        // Three connections from three source ports: one walk, kept once (the key leaves the source port out).
        for (int port = 40000; port < 40003; port++)
        {
            Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp(Remote, port, WorkloadA, 80)));
        }

        byte[] key = Assert.Single(_dp.Map(BpfMapLayout.VerdictMap).Keys());
        byte[] value = _dp.Map(BpfMapLayout.VerdictMap).Lookup(key)!;
        Assert.Equal(table, BinaryPrimitives.ReadUInt32LittleEndian(key));
        Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(key.AsSpan(8))); // sport
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(value.AsSpan(16))); // n_counted: the Log, the Pass, the Allow

        // Every rule the walk counted is counted on each hit too: the Log, the Pass and the Allow, three times each.
        BpfRuleTable compiled = before.Tables[table];
        uint[] countedRules = [.. Enumerable.Range(0, compiled.Rules.Length).Select(i => (uint)i).Where(i => Counted(table, i) > 0)];
        Assert.Equal(3, countedRules.Length);
        Assert.All(countedRules, rule => Assert.Equal(3UL, Counted(table, rule)));
        Assert.Equal(2UL, BpfMapLayout.ReadCounter(_dp.Map(BpfMapLayout.ReasonMap).Lookup(BitConverter.GetBytes(13u))!).Packets); // CALI_REASON_VERDICT_CACHED

        // The trusted client leaves the set. Written without the bump, the kept verdict still answers (the cache is
        // what decided above); calico-node always bumps after such a write, and then the walk decides again.
        s.State.Apply(new IpSetDeltaUpdate("s:trusted", [], [Remote + "/32"]));
        BpfPolicyPlan after = Compile(s);
        _dp.Apply(after, before, bumpGeneration: false);
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp(Remote, 40010, WorkloadA, 80)));
        _dp.BumpPolicyGeneration();
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp(Remote, 40011, WorkloadA, 80)));
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp(Remote, 40012, WorkloadA, 80))); // now kept denied
    }

    [Fact]
    public async Task ATableWithSourcePortRules_KeysItsVerdictsOnTheSourcePort()
    {
        var p = Policy("p");
        BpfPolicyPlan plan = Compile(OneWorkload(new States().WithPolicy(p, ingress:
            [new RuleModel { Action = RuleAction.Allow, Protocol = 6, SrcPorts = [new PortRange(1000, 2000)] }]),
            [Tier("default", RuleAction.Deny, ingress: [p])]));
        _dp.Apply(plan);
        Assert.Equal(BpfMapLayout.EndpointWorkload | BpfMapLayout.EndpointIngressSourcePorts, plan.Endpoints["wla"].Flags);

        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp(Remote, 1500, WorkloadA, 80)));
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp(Remote, 3000, WorkloadA, 80)));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp(Remote, 1501, WorkloadA, 80)));
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp(Remote, 3001, WorkloadA, 80)));
        Assert.Equal(4, _dp.Map(BpfMapLayout.VerdictMap).Keys().Count); // one per source port
    }

    [Fact]
    public async Task WhileAWriteIsUnderWay_OrWasLeftHalfDone_NoVerdictIsUsedOrKept()
    {
        var p = Policy("p");
        _dp.Apply(Compile(OneWorkload(new States().WithPolicy(p, ingress: [new RuleModel { Action = RuleAction.Allow, Protocol = 6 }]),
            [Tier("default", RuleAction.Deny, ingress: [p])])));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp(Remote, 40000, WorkloadA, 80)));
        Assert.Single(_dp.Map(BpfMapLayout.VerdictMap).Keys());

        // An agent killed between its writes: the generation stays odd. What it wrote decides (here, by hand, the
        // allowing rule gone from the same table: the walk runs off it and drops), not the verdict kept before (an
        // allow, which an even generation would still serve); nothing new is kept.
        var key = new byte[4];
        _dp.Map(BpfMapLayout.GenerationMap).Update(key, BpfMapLayout.WritingGeneration(_dp.Map(BpfMapLayout.GenerationMap).Lookup(key)));
        uint table = BpfMapLayout.ReadEndpointValue(_dp.Map(BpfMapLayout.EndpointMap).Lookup(BpfMapLayout.EndpointKey(_dp.Ifindex("wla")))!).IngressTable;
        Assert.True(_dp.Map(BpfMapLayout.RuleMap).Delete(BpfMapLayout.RuleKey(table, 0)));
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp(Remote, 40001, WorkloadA, 80)));
        Assert.Single(_dp.Map(BpfMapLayout.VerdictMap).Keys());

        // Even again (the next agent's writes done): the kept allow is stale, the walk decides (a broken table is never kept).
        _dp.BumpPolicyGeneration();
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp(Remote, 40002, WorkloadA, 80)));
    }

    [Fact]
    public async Task WithoutAGeneration_NothingIsKept()
    {
        var p = Policy("p");
        _dp.Apply(Compile(OneWorkload(new States().WithPolicy(p, ingress: [new RuleModel { Action = RuleAction.Allow, Protocol = 6 }]),
            [Tier("default", RuleAction.Deny, ingress: [p])])));
        _dp.Map(BpfMapLayout.GenerationMap).Update(new byte[4], BpfMapLayout.Generation(0));

        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp(Remote, 40000, WorkloadA, 80)));
        Assert.Empty(_dp.Map(BpfMapLayout.VerdictMap).Keys());
    }

    public void Dispose() => _dp.Dispose();
}
