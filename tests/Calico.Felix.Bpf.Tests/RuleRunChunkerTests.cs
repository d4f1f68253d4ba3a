using System.Globalization;
using Calico.Felix.Calc.Model;
using static Calico.Felix.Bpf.Tests.States;

namespace Calico.Felix.Bpf.Tests;

/// <summary>
/// Merged runs cut into content-defined chunks: the bounds hold whatever the hashes, and a change to one rule (toggled,
/// inserted, removed) gives new runs only around it, every other chunk keeping its run id and entries.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class RuleRunChunkerTests
{
    private const int PolicyCount = 1000;

    [Theory]
    [InlineData(1, 0, 32)]
    [InlineData(100, 0, 32)]
    [InlineData(1_650, 0, 64)]
    [InlineData(2_047, 0, 64)]
    [InlineData(2_048, 0, 128)]
    [InlineData(16_700, 0, 256)]
    [InlineData(10_000_000, 0, 4096)]
    [InlineData(16_700, 8, 8)]
    public void TheAverageChunk_GrowsAsTheTablesSquareRoot_UnlessConfigured(int tableLength, int configured, int expected) =>
        Assert.Equal(expected, RuleRunChunker.AverageLength(tableLength, configured));

    [Theory]
    [InlineData(0UL, 16)]        // every rule a boundary: chunks of the minimum (a quarter of the average)
    [InlineData(0xFFFFUL, 256)]  // no rule a boundary: chunks of the maximum (four times the average)
    public void PathologicalHashes_GiveChunksWithinTheBounds(ulong boundary, int expected)
    {
        ulong[] run = [.. Enumerable.Repeat(boundary, 1000)];
        var lengths = new List<int>();
        for (int start = 0; start < run.Length;)
        {
            int stop = RuleRunChunker.End(run, start, 64);
            lengths.Add(stop - start);
            start = stop;
        }

        Assert.All(lengths[..^1], length => Assert.Equal(expected, length));
        Assert.Equal(1000, lengths.Sum());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(4096)]
    public void ValidChunkLengths_AreAccepted(int length) =>
        BpfPolicyCompiler.Compile(new States().State, new BpfCompileOptions { RunChunkLength = length }, new BpfIdAllocator(), new BpfIdAllocator());

    [Theory]
    [InlineData(3)]
    [InlineData(2)]
    [InlineData(48)]
    [InlineData(8192)]
    [InlineData(-1)]
    public void AnInvalidChunkLength_IsRefused_NamingTheFieldAndValue(int length)
    {
        var e = Assert.Throws<ArgumentException>(() =>
            BpfPolicyCompiler.Compile(new States().State, new BpfCompileOptions { RunChunkLength = length }, new BpfIdAllocator(), new BpfIdAllocator()));
        Assert.Contains($"RunChunkLength {length} ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OneRuleToggled_InALongRun_GivesNewRunsOnlyAroundIt_AndTogglingBackGivesTheFirstTable()
    {
        (States s, List<PolicyKey> keys) = ManyPolicies();
        var tables = new BpfIdAllocator();
        var sets = new BpfIdAllocator();
        BpfPolicyPlan first = Compile(s, tables, sets);
        Assert.InRange(RunRules(first).Count, 8, 62);

        PolicyIntent original = s.State.Policies[keys[500]];
        s.State.Apply(new ActivePolicyUpdate(keys[500], original with { InboundRules = [original.InboundRules[0] with { Action = RuleAction.Deny }] }));
        BpfPolicyPlan toggled = Compile(s, tables, sets);
        AssertLocal(first, toggled);
        Assert.Equal(FlatAction.Deny, Ingress(toggled, Source(500)));
        Assert.Equal(FlatAction.Allow, Ingress(toggled, Source(499)));
        Assert.Equal(FlatAction.Allow, Ingress(toggled, Source(501)));
        Assert.Equal(FlatAction.Allow, Ingress(toggled, Source(999)));

        s.State.Apply(new ActivePolicyUpdate(keys[500], original));
        BpfPolicyPlan back = Compile(s, tables, sets);
        Assert.Equal(first.Endpoints["cali1"].IngressTable, back.Endpoints["cali1"].IngressTable);
        Assert.Equal(first.Runs.Keys.Order(), back.Runs.Keys.Order());
    }

    [Fact]
    public void APolicyInsertedOrRemoved_InALongRun_GivesNewRunsOnlyAroundIt()
    {
        (States s, List<PolicyKey> keys) = ManyPolicies();
        var tables = new BpfIdAllocator();
        var sets = new BpfIdAllocator();
        BpfPolicyPlan first = Compile(s, tables, sets);

        var inserted = Policy("p0300b");
        s.WithPolicy(inserted, ingress: [Allow("10.200.0.1/32")]);
        List<PolicyKey> withInserted = [.. keys[..301], inserted, .. keys[301..]];
        s.WithEndpoint("wl", "cali1", [Tier("default", RuleAction.Deny, ingress: withInserted)]);
        BpfPolicyPlan afterInsert = Compile(s, tables, sets);
        AssertLocal(first, afterInsert);
        Assert.Equal(FlatAction.Allow, Ingress(afterInsert, "10.200.0.1"));

        List<PolicyKey> withRemoved = [.. withInserted.Where(k => k != keys[700])];
        s.WithEndpoint("wl", "cali1", [Tier("default", RuleAction.Deny, ingress: withRemoved)]);
        BpfPolicyPlan afterRemove = Compile(s, tables, sets);
        AssertLocal(afterInsert, afterRemove);
        Assert.Equal(FlatAction.Deny, Ingress(afterRemove, Source(700)));
        Assert.Equal(FlatAction.Allow, Ingress(afterRemove, Source(701)));
    }

    [Fact]
    public void IdenticalRules_FromManyPolicies_AreOneLookup()
    {
        // Same admitted traffic everywhere: every chunk (cut by the rules' origins) has one definition, so one run.
        var s = new States();
        var keys = new List<PolicyKey>();
        for (int i = 0; i < PolicyCount; i++)
        {
            var key = Policy("p" + i.ToString("D4", CultureInfo.InvariantCulture));
            s.WithPolicy(key, ingress: [Allow("10.128.0.0/16")]);
            keys.Add(key);
        }

        BpfPolicyPlan plan = Compile(s.WithEndpoint("wl", "cali1", [Tier("default", RuleAction.Deny, ingress: keys)]), new BpfIdAllocator(), new BpfIdAllocator());
        Assert.Single(RunRules(plan));
        Assert.Single(plan.Runs);
        Assert.Equal(FlatAction.Allow, Ingress(plan, "10.128.9.9"));
    }

    [Fact]
    public void WithoutChunking_ALongRunIsOneLookup()
    {
        (States s, _) = ManyPolicies();
        BpfPolicyPlan plan = BpfPolicyCompiler.Compile(s.State, new BpfCompileOptions { ChunkRuns = false }, new BpfIdAllocator(), new BpfIdAllocator());
        FlatRule run = Assert.Single(RunRules(plan));
        Assert.Equal(PolicyCount, run.Origin.RuleIndex);
    }

    /// <summary>
    /// At most three runs are new (the chunk the change fell in, cut around it, and the next one until the chunking is
    /// back in step) and at most two gone; every other run is kept, with its id.
    /// </summary>
    private static void AssertLocal(BpfPolicyPlan before, BpfPolicyPlan after)
    {
        HashSet<uint> was = [.. RunRules(before).Select(r => r.Run)];
        HashSet<uint> now = [.. RunRules(after).Select(r => r.Run)];
        Assert.InRange(now.Except(was).Count(), 1, 3);
        Assert.InRange(was.Except(now).Count(), 1, 2);
        int entriesBefore = before.Runs.Values.Sum(r => r.Entries.Length);
        int newEntries = after.Runs.Values.Where(r => !was.Contains(r.Id)).Sum(r => r.Entries.Length);
        Assert.True(newEntries * 4 < entriesBefore, $"{newEntries} new entries of {entriesBefore}: not local");
    }

    private static (States S, List<PolicyKey> Keys) ManyPolicies()
    {
        var s = new States();
        var keys = new List<PolicyKey>();
        for (int i = 0; i < PolicyCount; i++)
        {
            var key = Policy("p" + i.ToString("D4", CultureInfo.InvariantCulture));
            s.WithPolicy(key, ingress: [Allow(Source(i) + "/32")]);
            keys.Add(key);
        }

        s.WithEndpoint("wl", "cali1", [Tier("default", RuleAction.Deny, ingress: keys)]);
        return (s, keys);
    }

    private static string Source(int i) => $"10.128.{i >> 8}.{i & 255}";

    private static RuleModel Allow(string net) =>
        new() { Action = RuleAction.Allow, Protocol = 6, SrcNets = [net], DstPorts = [new PortRange(80, 80)] };

    private static BpfPolicyPlan Compile(States s, BpfIdAllocator tables, BpfIdAllocator sets) =>
        BpfPolicyCompiler.Compile(s.State, new BpfCompileOptions(), tables, sets);

    private static List<FlatRule> RunRules(BpfPolicyPlan plan) =>
        [.. plan.Tables[plan.Endpoints["cali1"].IngressTable].Rules.Where(r => r.Run != 0)];

    private static FlatAction Ingress(BpfPolicyPlan plan, string source) =>
        FlatTableInterpreter.Verdict(plan, plan.Endpoints["cali1"].IngressTable, TestPacket.Tcp(source, "10.65.0.2", 80));
}
