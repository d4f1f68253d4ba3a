using System.Diagnostics;
using System.Globalization;
using Calico.Felix.Bpf;
using Calico.Felix.Calc.Model;

namespace Calico.Benchmarks;

/// <summary>
/// <c>bpf-compile-change</c>: the pure part of a policy change in BPF mode, no root, no kernel: the bench's
/// 1,000- and 10,000-policy states (<see cref="PacketsRulesets"/>), one rule's action toggled (the first decoy
/// policy's, or with DATAPLANE_PACKETS_TOGGLE=middle the middle one's), each toggle compiled with the applier's cache
/// and diffed against the previous plan as <c>BpfWorkloadDataplane.Apply</c> does. Prints the medians of the compile,
/// the diff, the writes before the flip and the process CPU per toggle: where the dataplane-packets bench's
/// "change -> enforced" goes before any map write.
/// </summary>
internal static class BpfCompileChange
{
    private const int Toggles = 40;

    public static void Run()
    {
        bool middle = Environment.GetEnvironmentVariable("DATAPLANE_PACKETS_TOGGLE") == "middle";
        Console.WriteLine($"bpf-compile-change: {Toggles} toggles of one rule's action ({(middle ? "middle" : "first")} decoy policy), compile with the cache + plan diff, no kernel");
        foreach (int policies in new[] { 1_000, 10_000 })
        {
            Measure(policies, middle);
        }
    }

    private static void Measure(int policies, bool middle)
    {
        DataplaneState state = PacketsRulesets.State(policies, "calibench1", "calibench2");
        var tableIds = new BpfIdAllocator();
        var setIds = new BpfIdAllocator();
        var cache = new BpfCompileCache();
        var options = new BpfCompileOptions();
        var ifindexes = new Dictionary<string, uint>(StringComparer.Ordinal) { ["calibench1"] = 11, ["calibench2"] = 12 };
        uint? IfindexOf(string name) => ifindexes.TryGetValue(name, out uint index) ? index : null;

        long started = Stopwatch.GetTimestamp();
        BpfPolicyPlan previous = BpfPolicyCompiler.Compile(state, options, tableIds, setIds, cache);
        double first = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Dictionary<uint, BpfEndpointEntry> previousEndpoints = BpfPlanDiff.Resolve(previous, IfindexOf);

        List<PolicyKey> decoys = [.. state.Policies.Keys.Where(k => k.Name.StartsWith("bench-", StringComparison.Ordinal)).OrderBy(k => k.Name, StringComparer.Ordinal)];
        PolicyKey key = middle ? decoys[decoys.Count / 2] : decoys[0];
        PolicyIntent original = state.Policies[key];
        var compile = new List<double>();
        var diff = new List<double>();
        var cpu = new List<double>();
        var writes = new List<double>();
        var kept = new List<double>();
        var allocated = new List<double>();
        for (var i = 0; i < Toggles; i++)
        {
            bool deny = i % 2 == 0;
            state.Apply(new ActivePolicyUpdate(key, original with
            {
                InboundRules = [.. original.InboundRules.Select((rule, r) => r == 0 ? rule with { Action = deny ? RuleAction.Deny : RuleAction.Allow } : rule)],
            }));
            TimeSpan cpuBefore = Environment.CpuUsage.TotalTime;
            long bytesBefore = GC.GetAllocatedBytesForCurrentThread();
            long t0 = Stopwatch.GetTimestamp();
            BpfPolicyPlan plan = BpfPolicyCompiler.Compile(state, options, tableIds, setIds, cache);
            long t1 = Stopwatch.GetTimestamp();
            Dictionary<uint, BpfEndpointEntry> endpoints = BpfPlanDiff.Resolve(plan, IfindexOf);
            _ = BpfPlanDiff.Between(previous, previousEndpoints, plan, endpoints, out int flipped);
            long t2 = Stopwatch.GetTimestamp();
            cpu.Add((Environment.CpuUsage.TotalTime - cpuBefore).TotalMilliseconds);
            allocated.Add((GC.GetAllocatedBytesForCurrentThread() - bytesBefore) / 1024.0);
            compile.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds);
            diff.Add(Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds);
            writes.Add(flipped);
            kept.Add(cache.LastCompile.ChunksKept);
            (previous, previousEndpoints) = (plan, endpoints);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {policies,6} policies: first compile {first,7:F1} ms; per toggle: compile {Spread.Of(compile).Format(" ms")}, diff {Spread.Of(diff).Format(" ms")}, CPU {Spread.Of(cpu).Format(" ms")}, writes before the flip {Spread.Of(writes).Format("", "F0")}, chunks kept {Spread.Of(kept).Format("", "F0")}, allocated {Spread.Of(allocated).Format(" KiB", "F0")}"));
    }
}
