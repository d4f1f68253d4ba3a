using System.Buffers.Binary;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;
using Calico.Linux.Bpf;
using Xunit.Abstractions;
using static Calico.Felix.Bpf.Tests.Kernel.DatapathHarness;
using static Calico.Felix.Bpf.Tests.States;

namespace Calico.Felix.Bpf.Tests.Kernel;

/// <summary>
/// calico_tc.c's flow-log side through BPF_PROG_TEST_RUN: verdict events in cali_flowlog and per-flow counters in
/// cali_ct_fl only while cali_fl_cfg says flow logs are on; each packet counted once; and what counting costs an
/// established packet (printed, not asserted).
/// </summary>
[Trait("Tier", "Root")]
public sealed class FlowLogDatapathTests(ITestOutputHelper output) : IDisposable
{
    private readonly DatapathHarness _dp = new();
    private readonly BpfIdAllocator _tables = new();
    private readonly BpfIdAllocator _sets = new();

    /// <summary>wla may send TCP to port 80 only (rule 0 allows, rule 1 denies the rest).</summary>
    private void ApplyPolicy()
    {
        var p = Policy("p");
        var s = new States().WithPolicy(p, egress: [new RuleModel { Action = RuleAction.Allow, Protocol = 6, DstPorts = [new PortRange(80, 80)] }, new RuleModel { Action = RuleAction.Deny }])
            .WithEndpoint("a", "wla", [Tier("default", RuleAction.Deny, egress: [p])]);
        _dp.Apply(BpfPolicyCompiler.Compile(s.State, new BpfCompileOptions(), _tables, _sets));
    }

    private void FlowLogs(bool on) => _dp.Map(BpfMapLayout.FlowLogConfigMap).Update(new byte[4], BpfMapLayout.FlowLogConfig(on));

    private List<byte[]> DrainEvents()
    {
        var records = new List<byte[]>();
        using var ring = BpfRingBuffer.Open(_dp.Map(BpfMapLayout.FlowLogRingMap), r => records.Add(r.ToArray()));
        ring.Consume();
        return records;
    }

    private (ulong, ulong, ulong, ulong)? Counters(string src, int sport, string dst, int dport)
    {
        byte[] key = BpfMapLayout.ConntrackKey(System.Net.IPAddress.Parse(src), (ushort)sport, System.Net.IPAddress.Parse(dst), (ushort)dport, 6);
        return _dp.Map(BpfMapLayout.FlowCounterMap).Lookup(key) is { } v ? BpfMapLayout.ReadFlowCounters(v) : null;
    }

    [Fact]
    public async Task FlowLogsOn_VerdictEventsAndCountersOncePerPacket_OffNothing()
    {
        ApplyPolicy();
        FlowLogs(true);
        byte[] syn = Frames.Tcp(WorkloadA, 41000, Remote, 80);
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.FromWorkload, "wla", syn));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.ToWorkload, "wla", Frames.Tcp(Remote, 80, WorkloadA, 41000, Frames.Syn | Frames.Ack)));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp(WorkloadA, 41000, Remote, 80, Frames.Ack)));
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp(WorkloadA, 41001, Remote, 22)));

        List<byte[]> events = DrainEvents();
        Assert.Equal(2, events.Count); // the new flows only: the allowed SYN and the denied one
        var allowed = events[0];
        Assert.Equal((6, 4, 1, 2), (allowed[36], allowed[37], allowed[38], allowed[39])); // tcp, IPv4, allow, egress
        Assert.Equal(_dp.Ifindex("wla"), BinaryPrimitives.ReadUInt32LittleEndian(allowed.AsSpan(40)));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(allowed.AsSpan(48))); // rule 0 decided
        Assert.Equal((uint)(syn.Length - 14), BinaryPrimitives.ReadUInt32LittleEndian(allowed.AsSpan(52))); // IP length
        Assert.Equal((80, 41000), (BinaryPrimitives.ReadUInt16LittleEndian(allowed.AsSpan(34)), BinaryPrimitives.ReadUInt16LittleEndian(allowed.AsSpan(32))));
        var denied = events[1];
        Assert.Equal((2, 22), (denied[38], BinaryPrimitives.ReadUInt16LittleEndian(denied.AsSpan(34))));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(denied.AsSpan(48)));

        // Two packets out (SYN, ACK) and one back (SYN-ACK), IP bytes: 40 each (no options).
        Assert.Equal(((ulong, ulong, ulong, ulong)?)(2, 80, 1, 40), Counters(WorkloadA, 41000, Remote, 80));

        FlowLogs(false);
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp(WorkloadA, 41002, Remote, 80)));
        Assert.Empty(DrainEvents());
        Assert.Null(Counters(WorkloadA, 41002, Remote, 80));
    }

    [Fact]
    public async Task EstablishedPacketCost_FlowLogsOffAndOn_Printed()
    {
        ApplyPolicy();
        const int Repeat = 200_000;
        var results = new List<string>();
        for (int round = 0; round < 3; round++)
        {
            foreach (bool on in new[] { false, true })
            {
                FlowLogs(on);
                int port = 42000 + (round * 2) + (on ? 1 : 0);
                Assert.Equal(TcActOk, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp(WorkloadA, port, Remote, 80)));
                BpfTestRun run = await _dp.RunFullAsync(_dp.FromWorkload, "wla", Frames.Tcp(WorkloadA, port, Remote, 80, Frames.Ack), Repeat);
                Assert.Equal(TcActOk, run.ReturnValue);
                results.Add($"round {round} flow logs {(on ? "on " : "off")}: {run.NanosecondsPerRun} ns per established packet");
            }
        }

        DrainEvents();
        output.WriteLine(string.Join("\n", results));
    }

    public void Dispose() => _dp.Dispose();
}
