using System.Globalization;
using System.Text;
using Calico.Felix.Calc.Model;
using Calico.Linux;
using Calico.Linux.Bpf;
using Xunit.Abstractions;
using static Calico.Felix.Bpf.Tests.Kernel.DatapathHarness;
using static Calico.Felix.Bpf.Tests.States;

namespace Calico.Felix.Bpf.Tests.Kernel;

/// <summary>
/// What a new flow's first packet costs in calico_from_wl / calico_to_wl (BPF_PROG_TEST_RUN, the kernel's ns per run),
/// beside a conntrack hit, at 0, 1,000 and 10,000 ingress policies on the target (the decoys of the dataplane-packets
/// bench: none matches the flow, the last policy allows it). A measurement, not a test: it asserts only that each
/// packet took the path it measures (the verdict), never a time. In the suite it is a root test of those paths with a
/// few samples; with NEWFLOW_MEASURE_OUT set it measures (4,000 samples a row) and appends the table to that file
/// (bench/README.md, "Cheaper new flows (session 6)").
/// </summary>
[Trait("Tier", "Root")]
public sealed class NewFlowCostMeasurements(ITestOutputHelper output)
{
    private const int TcActRedirect = 7;
    private const int FlowPort = 7777;
    private static readonly int Samples = Environment.GetEnvironmentVariable("NEWFLOW_MEASURE_OUT") is null ? 50 : 4000;

    [Theory]
    [InlineData(0)]
    [InlineData(1000)]
    [InlineData(10000)]
    public async Task FirstPacketOfANewFlow_AgainstAConntrackHit(int policies)
    {
        using var dp = new DatapathHarness();
        var tables = new BpfIdAllocator();
        var sets = new BpfIdAllocator();
        var plan = BpfPolicyCompiler.Compile(ServerWithPolicies(policies).State, new BpfCompileOptions(), tables, sets);
        dp.Apply(plan);
        dp.Map(BpfMapLayout.PoolMap).Update(BpfMapLayout.PoolKey(System.Net.IPNetwork.Parse("10.65.0.0/16")), BpfMapLayout.PoolValue(true));
        uint wla = dp.Ifindex("wla");
        uint wlb = dp.Ifindex("wlb");
        if (Environment.GetEnvironmentVariable("NEWFLOW_UNLISTED") is null)
        {
            // What calico-node writes: each local workload's own address -> its interface (the FIB is then not asked).
            dp.Map(BpfMapLayout.WorkloadIpMap).Update(BpfMapLayout.HostIpKey(System.Net.IPAddress.Parse(WorkloadA)), BpfMapLayout.WorkloadIpValue(wla));
            dp.Map(BpfMapLayout.WorkloadIpMap).Update(BpfMapLayout.HostIpKey(System.Net.IPAddress.Parse(WorkloadB)), BpfMapLayout.WorkloadIpValue(wlb));
        }

        var report = new StringBuilder();
        report.Append(CultureInfo.InvariantCulture, $"cali_wl_ips {(Environment.GetEnvironmentVariable("NEWFLOW_UNLISTED") is null ? "written" : "empty")}, policies {policies}, tables {plan.Tables.Count}, {Environment.ProcessorCount} CPUs, load {File.ReadAllText("/proc/loadavg").Trim()}\n");

        var measured = await NetworkNamespace.RunInAsync(dp.NetnsPath, () =>
        {
            // The server's MAC learned (the bench's pods have talked before): the new flow is handed over peer to peer.
            Assert.Equal(TcActOk, dp.FromWorkload.TestRun(Frames.Tcp(WorkloadB, FlowPort, "192.168.1.77", 1, Frames.Ack), 1, wlb).ReturnValue);
            var rows = new List<(string Name, uint[] Ns)>
            {
                ("from_wl SYN to a local workload (miss)", Series(port => dp.FromWorkload.TestRun(Frames.Tcp(WorkloadA, port, WorkloadB, FlowPort), 1, wla), TcActRedirect)),
                ("from_wl ACK of that flow (hit, fast path)", Series(_ => dp.FromWorkload.TestRun(Frames.Tcp(WorkloadA, 1024, WorkloadB, FlowPort, Frames.Ack), 1, wla), TcActRedirect)),
                ("from_wl SYN to a remote address (miss)", Series(port => dp.FromWorkload.TestRun(Frames.Tcp(WorkloadA, port, Remote, FlowPort), 1, wla), TcActOk)),
                ("to_wl SYN from a remote address (miss)", Series(port => dp.ToWorkload.TestRun(Frames.Tcp(Remote, port, WorkloadB, FlowPort), 1, wlb), TcActOk)),
            };
            // For a profiler (perf record -a): the new flow's first packet over and over, its entry deleted each time.
            if (int.TryParse(Environment.GetEnvironmentVariable("NEWFLOW_PROFILE_SECONDS"), CultureInfo.InvariantCulture, out int seconds))
            {
                var until = DateTime.UtcNow.AddSeconds(seconds);
                byte[] syn = Frames.Tcp(WorkloadA, 50000, WorkloadB, FlowPort);
                byte[] key = BpfMapLayout.ConntrackKey(System.Net.IPAddress.Parse(WorkloadA), 50000, System.Net.IPAddress.Parse(WorkloadB), FlowPort, 6);
                BpfMap conntrack = dp.Map(BpfMapLayout.ConntrackMap);
                while (DateTime.UtcNow < until)
                {
                    Assert.Equal(TcActRedirect, dp.FromWorkload.TestRun(syn, 1, wla).ReturnValue);
                    conntrack.Delete(key);
                }
            }

            return rows;
        });

        foreach (var (name, ns) in measured)
        {
            Array.Sort(ns);
            report.Append(CultureInfo.InvariantCulture, $"  {name,-44} p50 {ns[ns.Length / 2],6} ns  p10 {ns[ns.Length / 10],6}  p90 {ns[ns.Length * 9 / 10],6}  (n={ns.Length})\n");
        }

        output.WriteLine(report.ToString());
        string? file = Environment.GetEnvironmentVariable("NEWFLOW_MEASURE_OUT");
        if (file is not null)
        {
            File.AppendAllText(file, report.ToString());
        }
    }

    /// <summary>One run per source port from 1024 up (a fresh flow each, unless the frame ignores the port).</summary>
    private static uint[] Series(Func<int, BpfTestRun> run, int expected)
    {
        var ns = new uint[Samples];
        for (var i = 0; i < Samples; i++)
        {
            BpfTestRun result = run(1024 + i);
            Assert.Equal(expected, result.ReturnValue);
            ns[i] = (uint)result.NanosecondsPerRun;
        }

        return ns;
    }

    /// <summary>
    /// wla: the client (allow-all profile); wlb: the server, its ingress through tier "default" with
    /// <paramref name="policies"/> policies (decoys as the bench's, then one allowing TCP 7777), else the profile.
    /// </summary>
    private static States ServerWithPolicies(int policies)
    {
        var s = new States().WithProfile("kns.bench", [new RuleModel { Action = RuleAction.Allow }], [new RuleModel { Action = RuleAction.Allow }]);
        var keys = new List<PolicyKey>();
        for (var i = 0; i < policies - 1; i++)
        {
            var key = Policy(string.Create(CultureInfo.InvariantCulture, $"bench-{i:D5}"));
            string set = string.Create(CultureInfo.InvariantCulture, $"s:svc-{i % 100}");
            if (i < 100)
            {
                s.WithIpSet(set, string.Create(CultureInfo.InvariantCulture, $"10.66.{i}.0/28"));
            }

            s.WithPolicy(key, ingress: (i % 3) switch
            {
                0 => [
                    new RuleModel { Action = RuleAction.Allow, Protocol = 6, SrcIpSetIds = [set], DstPorts = [new PortRange(8000 + (i % 500), 8000 + (i % 500))] },
                    new RuleModel { Action = RuleAction.Allow, Protocol = 6, SrcNets = [string.Create(CultureInfo.InvariantCulture, $"172.{16 + (i % 16)}.{i / 16 % 256}.0/24")], DstPorts = [new PortRange(9100, 9100)] },
                ],
                1 => [
                    new RuleModel
                    {
                        Action = RuleAction.Allow,
                        Protocol = 6,
                        SrcNets = [string.Create(CultureInfo.InvariantCulture, $"192.168.{i % 256}.0/25"), string.Create(CultureInfo.InvariantCulture, $"100.64.{i / 256 % 256}.{i % 256}/32")],
                        DstPorts = [new PortRange(443, 443), new PortRange(8443, 8443), new PortRange(9000, 9099)],
                    },
                ],
                _ => [
                    new RuleModel { Action = RuleAction.Allow, Protocol = 6, SrcIpSetIds = [set], DstPorts = [new PortRange(80, 80), new PortRange(3000, 3009)] },
                    new RuleModel { Action = RuleAction.Allow, Protocol = 17, SrcNets = [string.Create(CultureInfo.InvariantCulture, $"10.{96 + (i % 32)}.0.0/16")], DstPorts = [new PortRange(53, 53)] },
                ],
            });
            keys.Add(key);
        }

        if (policies > 0)
        {
            var final = Policy("bench-allow-clients");
            s.WithPolicy(final, ingress: [new RuleModel { Action = RuleAction.Allow, Protocol = 6, DstPorts = [new PortRange(FlowPort, FlowPort)] }]);
            keys.Add(final);
        }

        IReadOnlyList<TierIntent> serverTiers = policies > 0 ? [Tier("default", RuleAction.Deny, ingress: keys)] : [];
        return s.WithEndpoint("a", "wla", [], "kns.bench").WithEndpoint("b", "wlb", serverTiers, "kns.bench");
    }
}
