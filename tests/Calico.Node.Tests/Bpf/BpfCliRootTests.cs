using System.Net;
using System.Text.RegularExpressions;
using Calico.Felix.Bpf;
using Calico.Felix.Bpf.Tests.Kernel;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;
using Calico.Linux;
using Calico.Felix.Dataplane.Bpf;
using Calico.Linux.Bpf;
using Calico.Node.Bpf;
using Calico.TestKit;
using Xunit.Abstractions;
using static Calico.Felix.Bpf.Tests.Kernel.DatapathHarness;

namespace Calico.Node.Tests.Bpf;

/// <summary>
/// calico-node -bpf over real pinned maps: calico_tc.c loaded with its maps pinned in a bpffs this test mounts under
/// its temp directory (never the machine's /sys/fs/bpf), a policy written by hand, frames run through the program
/// (BPF_PROG_TEST_RUN) so that the program itself writes conntrack entries and counters; the CLI runs in-process inside
/// the test's namespace with CALICO_BPF_ROOT pointing at the pins. Also the conntrack scanner on that map.
/// </summary>
[Trait("Tier", "Root")]
public sealed class BpfCliRootTests : IDisposable
{
    private const ulong Second = 1_000_000_000;
    private const uint EgressTable = 1;
    private const uint IngressTable = 2;
    private const uint WebServers = 1;

    private readonly TempDirectory _dir = new("calico-bpfcli");
    private readonly string _root;
    private readonly bool _mounted;
    private readonly DatapathHarness _dp;
    private readonly ITestOutputHelper _output;

    public BpfCliRootTests(ITestOutputHelper output)
    {
        _output = output;
        _root = _dir.File("bpffs");
        try
        {
            IpTool.RequireRootTier();
            _mounted = BpfFilesystem.EnsureMounted(_root);
            _dp = new DatapathHarness(_root);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>wla's egress: TCP to port 80 of the web servers' set allowed, the rest denied; its ingress: allow.</summary>
    private void WritePolicy()
    {
        var origin = BpfMapLayout.ReadOrigin;
        _dp.Map(BpfMapLayout.IpSetMap).Update(BpfMapLayout.IpSetKey(WebServers, IpSetMember.Parse(WorkloadB + "/32")), BpfMapLayout.IpSetValue());
        _dp.Map(BpfMapLayout.RuleMap).Update(BpfMapLayout.RuleKey(EgressTable, 0), BpfMapLayout.RuleValue(new FlatRule { Action = FlatAction.Allow, Protocol = 6, DstSets = [WebServers], DstPorts = [new PortRange(80, 80)], Origin = origin }));
        _dp.Map(BpfMapLayout.RuleMap).Update(BpfMapLayout.RuleKey(EgressTable, 1), BpfMapLayout.RuleValue(new FlatRule { Action = FlatAction.Deny, Origin = origin }));
        _dp.Map(BpfMapLayout.RuleMap).Update(BpfMapLayout.RuleKey(IngressTable, 0), BpfMapLayout.RuleValue(new FlatRule { Action = FlatAction.Allow, Origin = origin }));
        _dp.Map(BpfMapLayout.EndpointMap).Update(BpfMapLayout.EndpointKey(_dp.Ifindex("wla")), BpfMapLayout.EndpointValue(BpfMapLayout.EndpointWorkload, IngressTable, EgressTable, EndpointToHostAction.Drop));
    }

    private async Task<(int Exit, string Out, string Err)> CliAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var environment = new Dictionary<string, string> { [BpfFilesystem.RootVariable] = _root };
        int exit = await NetworkNamespace.RunInAsync(_dp.NetnsPath, () => NodeCli.RunAsync(["-bpf", .. args], environment, stdout, stderr, CancellationToken.None));
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Dumps_ShowWhatTheProgramDid_ThroughThePins()
    {
        WritePolicy();
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp(WorkloadA, 40000, WorkloadB, 80)));
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp(WorkloadA, 40001, WorkloadB, 81)));
        uint wla = _dp.Ifindex("wla");

        var (exit, output, error) = await CliAsync("conntrack", "dump");
        Assert.True(exit == 0, error);
        Assert.Matches($@"^TCP 10\.65\.0\.2:40000 -> 10\.65\.0\.3:80  Active ago \S+ SYN-SENT  egress-allowed-by=wla\({wla}\) ingress-allowed-by=-\r?\n$", output);

        (exit, output, error) = await CliAsync("conntrack", "dump", "--raw", "-4");
        Assert.True(exit == 0, error);
        Assert.Matches($@"^proto=6 family=4 lo=10\.65\.0\.2:40000 hi=10\.65\.0\.3:80 -> created_ns=\d+ last_seen_ns=\d+ state=1 opener=0 flags=0x0000 egress_approved_ifindex={wla} ingress_approved_ifindex=0\r?\n$", output);
        (exit, output, _) = await CliAsync("conntrack", "dump", "-6");
        Assert.Equal((0, ""), (exit, output));
        (exit, output, error) = await CliAsync("conntrack", "dump", "--json");
        Assert.True(exit == 0, error);
        using (var json = System.Text.Json.JsonDocument.Parse(output))
        {
            var flow = Assert.Single(json.RootElement.EnumerateArray());
            Assert.Equal(("10.65.0.2:40000", "10.65.0.3:80", "SYN-SENT", $"wla({wla})"), (flow.GetProperty("src").GetString(), flow.GetProperty("dst").GetString(), flow.GetProperty("tcp_state").GetString(), flow.GetProperty("egress_allowed_by").GetString()));
        }


        (exit, output, error) = await CliAsync("conntrack", "stats");
        Assert.True(exit == 0, error);
        Assert.Contains("Conntrack map size: 512000", output, StringComparison.Ordinal);
        Assert.Contains("Total connections: 1", output, StringComparison.Ordinal);
        Assert.Contains("TCP Syn-sent: 1", output, StringComparison.Ordinal);

        (exit, output, error) = await CliAsync("policy", "dump", "wla", "all");
        Assert.True(exit == 0, error);
        Assert.Equal(
            $"""
            IfaceName: wla
            Ifindex: {wla}  Endpoint: workload  DefaultEndpointToHostAction: Drop
            Hook: ingress  (tc ingress: traffic from the workload, its egress policy, calico_from_wl)
              Table: 1  Rules: 2
                Rule 0: Action: allow  Match: proto=tcp dst-sets={"{"}1 [10.65.0.3/32]{"}"} dst-ports=80
                  Hit count: 1 (54 bytes)
                Rule 1: Action: deny  Match: any
                  Hit count: 1 (54 bytes)
            Hook: egress  (tc egress: traffic to the workload, its ingress policy, calico_to_wl)
              Table: 2  Rules: 1
                Rule 0: Action: allow  Match: any
                  Hit count: 0 (0 bytes)

            """.ReplaceLineEndings(), output);

        (exit, output, error) = await CliAsync("counters", "dump");
        Assert.True(exit == 0, error);
        Assert.Matches(@"\n  POLICY_ALLOW +1 +54 ", output);
        Assert.Matches(@"\n  POLICY_DENY +1 +54 ", output);
        Assert.Matches(@"\n  TABLE +RULE +PACKETS +BYTES +USED BY\r?\n  1 +0 +1 +54 +wla ingress\r?\n  1 +1 +1 +54 +wla ingress\r?\n$", output);

        (exit, output, error) = await CliAsync("counters", "dump", "-j");
        Assert.True(exit == 0, error);
        using (var json = System.Text.Json.JsonDocument.Parse(output))
        {
            Assert.Equal(2, json.RootElement.GetProperty("rules").GetArrayLength());
        }

        (exit, output, error) = await CliAsync("counters", "dump", "--iface=wla");
        Assert.True(exit == 0, error);
        Assert.Matches(@"\n  TABLE +RULE +PACKETS +BYTES +USED BY\r?\n  1 +0 +1 +54 +wla ingress\r?\n  1 +1 +1 +54 +wla ingress\r?\n$", output);
    }

    [Fact]
    public async Task PolicyDump_ShowsAMergedRunWithItsEntries()
    {
        const uint runTable = 5;
        var origin = BpfMapLayout.ReadOrigin;
        _dp.Map(BpfMapLayout.RunMap).Update(BpfMapLayout.RunKey(1, 6, IpSetMember.Parse(WorkloadB + "/32")), BpfMapLayout.RunValue(0));
        _dp.Map(BpfMapLayout.RunMap).Update(BpfMapLayout.RunKey(1, 17, IpSetMember.Parse(WorkloadB + "/32")), BpfMapLayout.RunValue(0));
        _dp.Map(BpfMapLayout.RuleMap).Update(BpfMapLayout.RuleKey(runTable, 0), BpfMapLayout.RuleValue(new FlatRule { Action = FlatAction.Allow, Run = 1, RunOnDestination = true, Origin = origin }));
        _dp.Map(BpfMapLayout.RuleMap).Update(BpfMapLayout.RuleKey(runTable, 1), BpfMapLayout.RuleValue(new FlatRule { Action = FlatAction.Deny, Origin = origin }));
        _dp.Map(BpfMapLayout.EndpointMap).Update(BpfMapLayout.EndpointKey(_dp.Ifindex("wla")), BpfMapLayout.EndpointValue(BpfMapLayout.EndpointWorkload, 0, runTable, EndpointToHostAction.Drop));
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp(WorkloadA, 40000, WorkloadB, 80)));

        var (exit, output, error) = await CliAsync("policy", "dump", "wla", "ingress");

        Assert.True(exit == 0, error);
        Assert.Contains("    Rule 0: Action: allow  Match: merged-run=1 on dst [2 entries]" + Environment.NewLine + "      Hit count: 1 (54 bytes)", output, StringComparison.Ordinal);
        (exit, output, _) = await CliAsync("policy", "dump", "wla", "egress");
        Assert.Equal(0, exit);
        Assert.Contains("Table: none (every new flow here is dropped, counted as BAD_TABLE)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CounterSweeper_DeletesTheCountersOfADeletedTable_KeepsTheLiveOnes()
    {
        WritePolicy();
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp(WorkloadA, 40000, WorkloadB, 80)));
        Assert.Equal(TcActShot, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp(WorkloadA, 40001, WorkloadB, 81)));
        BpfMap counters = _dp.Map(BpfMapLayout.CounterMap);
        BpfMap rules = _dp.Map(BpfMapLayout.RuleMap);
        Assert.Equal(2, counters.Keys().Count);
        Assert.Equal(new BpfScanResult(2, 0), BpfCounterSweeper.Sweep(counters, rules));

        // Rule 1 deleted (as the applier deletes a replaced table's rules): its counter is dead, though still dumped.
        Assert.True(rules.Delete(BpfMapLayout.RuleKey(EgressTable, 1)));
        var (exit, output, _) = await CliAsync("counters", "dump");
        Assert.Equal(0, exit);
        Assert.Matches(@"\n  1 +1 +1 +54 +wla ingress\r?\n", output);

        Assert.Equal(new BpfScanResult(2, 1), BpfCounterSweeper.Sweep(counters, rules));
        Assert.NotNull(counters.Lookup(BpfMapLayout.RuleKey(EgressTable, 0)));
        Assert.Null(counters.Lookup(BpfMapLayout.RuleKey(EgressTable, 1)));
    }

    [Fact]
    public async Task PolicyDump_OfAnInterfaceWithoutEndpoint_OrOneThatIsNotThere_ExitsOne()
    {
        WritePolicy();

        var (exit, output, error) = await CliAsync("policy", "dump", "wlb", "ingress");
        Assert.Equal((1, ""), (exit, output));
        Assert.Contains($"interface wlb (ifindex {_dp.Ifindex("wlb")}) has no cali_eps entry", error, StringComparison.Ordinal);

        (exit, _, error) = await CliAsync("policy", "dump", "nosuch0", "ingress");
        Assert.Equal(1, exit);
        Assert.Contains("interface nosuch0 not found in this network namespace", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scanner_DeletesTheEntryIdlePastItsTimeout_KeepsTheOthers()
    {
        WritePolicy();
        Assert.Equal(TcActOk, await _dp.RunAsync(_dp.FromWorkload, "wla", Frames.Tcp(WorkloadA, 40000, WorkloadB, 80)));
        using BpfMap ct = BpfMap.OpenPinned(BpfMapLayout.PinPath(_root, BpfMapLayout.ConntrackMap));
        byte[] fresh = Assert.Single(ct.Keys());
        ulong now = BpfConntrackScanner.MonotonicNowNs();
        // The program's clock is ours: the entry it just wrote was seen before now, and not hours before.
        ulong seen = BpfMapLayout.ReadConntrackValue(ct.Lookup(fresh)).LastSeenNs;
        Assert.InRange(seen, now - 3600 * Second, now);

        byte[] aged = BpfMapLayout.ConntrackKey(IPAddress.Parse(WorkloadA), 50000, IPAddress.Parse(WorkloadB), 443, 6);
        ct.Update(aged, BpfMapLayout.ConntrackValue(new ConntrackEntry(now - 7300 * Second, now - 3601 * Second, ConntrackState.Established, ConntrackOpener.Low, 0, _dp.Ifindex("wla"), 0)));
        byte[] quietUdp = BpfMapLayout.ConntrackKey(IPAddress.Parse(WorkloadA), 5353, IPAddress.Parse(WorkloadB), 53, 17);
        ct.Update(quietUdp, BpfMapLayout.ConntrackValue(new ConntrackEntry(now - 100 * Second, now - 59 * Second, ConntrackState.Established, ConntrackOpener.Low, 0, _dp.Ifindex("wla"), 0)));

        var (exit, output, _) = await CliAsync("conntrack", "dump");
        Assert.Equal(0, exit);
        Assert.Single(Regex.Matches(output, " EXPIRED "));

        Assert.Equal(new BpfScanResult(3, 1), BpfConntrackScanner.Scan(ct, now));
        Assert.Null(ct.Lookup(aged));
        Assert.NotNull(ct.Lookup(fresh));
        Assert.NotNull(ct.Lookup(quietUdp));
        Assert.Equal(new BpfScanResult(2, 0), BpfConntrackScanner.Scan(ct, now));

        // The batch primitives on their own: a chunk of one entry still visits every entry; a key gone meanwhile is skipped.
        int visited = 0;
        ct.ForEachBatch(1, (keys, values, count) => visited += count);
        Assert.Equal(2, visited);
        byte[] missing = BpfMapLayout.ConntrackKey(IPAddress.Parse(WorkloadA), 1, IPAddress.Parse(WorkloadB), 2, 6);
        byte[] copy = BpfMapLayout.ConntrackKey(IPAddress.Parse(WorkloadA), 3, IPAddress.Parse(WorkloadB), 4, 6);
        ct.Update(copy, ct.Lookup(fresh)!);
        Assert.Equal(1, ct.DeleteBatch([.. missing, .. copy, .. missing], 3));
        Assert.Null(ct.Lookup(copy));

        // Key by key (where the kernel has no batch operations) decides the same.
        Assert.Equal(new BpfScanResult(2, 1), BpfConntrackScanner.ScanKeyByKey(ct, now + 2 * Second));
        Assert.Null(ct.Lookup(quietUdp));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Scanner_OverManyEntries_DeletesExactlyTheExpiredHalf(bool batched)
    {
        const int entries = 20_000;
        BpfMap ct = _dp.Map(BpfMapLayout.ConntrackMap);
        ulong now = BpfConntrackScanner.MonotonicNowNs();
        for (int i = 0; i < entries; i++)
        {
            var source = new IPAddress([10, 66, (byte)(i >> 8), (byte)i]);
            ulong lastSeen = i % 2 == 0 ? now - 61 * Second : now - Second;
            ct.Update(BpfMapLayout.ConntrackKey(source, 1000, IPAddress.Parse(WorkloadB), 53, 17), BpfMapLayout.ConntrackValue(new ConntrackEntry(lastSeen, lastSeen, ConntrackState.Established, ConntrackOpener.Low, 0, 1, 0)));
        }

        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = batched ? BpfConntrackScanner.Scan(ct, now) : BpfConntrackScanner.ScanKeyByKey(ct, now);
        clock.Stop();
        cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu;

        Assert.Equal(new BpfScanResult(entries, entries / 2), result);
        Assert.Equal(entries / 2, ct.Keys().Count);

        // Again: nothing left to delete, only the walk.
        var cpuAgain = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var again = batched ? BpfConntrackScanner.Scan(ct, now) : BpfConntrackScanner.ScanKeyByKey(ct, now);
        cpuAgain = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpuAgain;
        Assert.Equal(new BpfScanResult(entries / 2, 0), again);
        // A figure for docs/bpf.md, not an assertion: µs per entry (wall and process CPU).
        _output.WriteLine($"conntrack scan ({(batched ? "batched" : "key by key")}): {entries} entries, {entries / 2} deleted, {clock.Elapsed.TotalMicroseconds / entries:0.00} µs/entry wall, {cpu.TotalMicroseconds / entries:0.00} µs/entry CPU; a walk deleting nothing {cpuAgain.TotalMicroseconds / (entries / 2):0.00} µs/entry CPU");
    }

    public void Dispose()
    {
        _dp?.Dispose();
        if (_mounted)
        {
            BpfFilesystem.Unmount(_root);
        }

        _dir.Dispose();
    }
}
