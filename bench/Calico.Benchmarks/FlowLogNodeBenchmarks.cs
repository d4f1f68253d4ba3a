using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Calico.Client;
using Calico.Datastore;
using Calico.TestKit;

namespace Calico.Benchmarks;

/// <summary>
/// What flow logs cost with the real calico-node (issue 14, Performance): the dataplane-packets topology (two pods
/// wired as the CNI plugin wires them, routed through a namespace standing as the host), calico-node in the host
/// namespace on an embedded datastore holding one allow policy for the pods, started afresh for each variant: flow
/// logs off, and on (local reporter Enabled into a temp dir, flush every 5 s). Variants are interleaved (off, on,
/// off, on, ...) on a shared, noisy machine; per variant: calico-node's CPU (utime + stime of its /proc stat) over a
/// paced phase of new connections at about 5,000/s, then iperf3 single-stream throughput and a CRR connection rate.
/// Ratios and CPU differences are taken round by round (on against the off just before it). Asserts nothing.
/// </summary>
internal static class FlowLogNodeBenchmarks
{
    public const string HostIp = "198.18.0.1";
    public static string NodeName => ControlWorld.HostNode;

    /// <summary>3, or <c>FLOW_LOGS_NODE_ROUNDS</c>.</summary>
    private static readonly int Rounds = int.TryParse(Environment.GetEnvironmentVariable("FLOW_LOGS_NODE_ROUNDS"), CultureInfo.InvariantCulture, out int rounds) && rounds > 0 ? rounds : 3;
    private const double TargetRate = 5_000;
    private const int LoadThreads = 2;
    private static readonly TimeSpan LoadDuration = TimeSpan.FromSeconds(10);

    /// <summary>After the paced phase the CPU window stays open this long: the collector drains what the kernel queued.</summary>
    private static readonly TimeSpan LoadTail = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan CrrDuration = TimeSpan.FromSeconds(5);
    private const int ClockTicksPerSecond = 100;

    public static async Task RunAsync()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Console.WriteLine("flow-logs-node: needs root (network namespaces, nft)");
            return;
        }

        if (Prerequisites.Find("iperf3") is null)
        {
            Console.WriteLine("flow-logs-node: iperf3 is missing (Debian package iperf3)");
            return;
        }

        if (!File.Exists(FlowLogNodeAgent.BinaryPath))
        {
            Console.WriteLine($"flow-logs-node: {FlowLogNodeAgent.BinaryPath} is missing (./build.sh, or set CALICO_NODE_BIN)");
            return;
        }

        using var cancellation = new CancellationTokenSource();
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            cancellation.Cancel();
        }

        using PosixSignalRegistration onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using PosixSignalRegistration onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        try
        {
            await RunAllAsync(cancellation.Token);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            Console.WriteLine("flow-logs-node: cancelled; calico-node stopped, namespaces removed");
        }
    }

    private static async Task RunAllAsync(CancellationToken cancellationToken)
    {
        Console.WriteLine(Invariant($"flow logs with calico-node ({FlowLogNodeAgent.BinaryPath}): {Rounds} interleaved rounds of off, on; per variant a paced phase of {TargetRate:F0} new conn/s for {LoadDuration.TotalSeconds:F0} s ({LoadThreads} client threads; CPU window + {LoadTail.TotalSeconds:F0} s), iperf3 -t 5 -O 1, CRR {CrrDuration.TotalSeconds:F0} s"));
        string loadBefore = LoadAverage();
        using var dir = new TempDirectory("flow-logs-node");
        using PacketsTopology topology = await PacketsTopology.CreateAsync(cancellationToken);
        topology.Host.Ip("addr", "add", HostIp + "/24", "dev", "hdef0");
        string datastore = dir.File("calico.db");
        await WriteDatastoreAsync(datastore, topology, cancellationToken);
        using PacketsCrr server = await PacketsCrr.StartServerAsync(topology.Server.Path, PacketsTopology.ServerIp, PacketsRulesets.CrrPort, cancellationToken);

        string[] labels = ["off", "on (local reporter)"];
        var samples = labels.Select(_ => new Samples()).ToArray();
        for (int round = 0; round < Rounds; round++)
        {
            for (int v = 0; v < labels.Length; v++)
            {
                var environment = new Dictionary<string, string>(StringComparer.Ordinal);
                string flowsDir = dir.File($"flows-{round}");
                if (v == 1)
                {
                    environment["FELIX_FLOWLOGSLOCALREPORTER"] = "Enabled";
                    environment["FELIX_FLOWLOGSFLUSHINTERVAL"] = "5";
                    environment["CALICO_FLOW_LOGS_DIR"] = flowsDir;
                }
                else
                {
                    // The collector turns conntrack accounting on in its namespace; off runs start without it, as a
                    // node that never ran flow logs.
                    topology.Host.Exec("sysctl", "-qw", "net.netfilter.nf_conntrack_acct=0");
                }

                string stateDir = dir.File($"state-{round}-{v}");
                Directory.CreateDirectory(stateDir);
                long connections;
                await using (FlowLogNodeAgent agent = FlowLogNodeAgent.Start(topology.Host.Path, datastore, stateDir, environment))
                {
                    await agent.WaitReadyAsync(TimeSpan.FromSeconds(60), cancellationToken);
                    if (!await PacketsCrr.ProbeAsync(topology.Client.Path, PacketsTopology.ServerIp, PacketsRulesets.CrrPort, TimeSpan.FromSeconds(3), cancellationToken))
                    {
                        throw new InvalidOperationException($"{labels[v]}: the client pod cannot connect to the server pod:\n{agent.Tail(40)}");
                    }

                    CheckProgrammed(topology, labels[v]);

                    // Settle (start-up work ends), and idle CPU over the same 3 s.
                    long idleStart = agent.CpuTicks();
                    await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
                    samples[v].IdlePercent.Add((agent.CpuTicks() - idleStart) * 100.0 / ClockTicksPerSecond / 3);

                    long cpuStart = agent.CpuTicks();
                    (long made, double seconds) = await FlowLogNodeLoad.RunAsync(topology.Client.Path, PacketsTopology.ServerIp, PacketsRulesets.CrrPort, TargetRate, LoadDuration, LoadThreads, cancellationToken);
                    await Task.Delay(LoadTail, cancellationToken);
                    long cpuTicks = agent.CpuTicks() - cpuStart;
                    samples[v].PacedRate.Add(made / seconds);
                    samples[v].CpuPercent.Add(cpuTicks * 100.0 / ClockTicksPerSecond / seconds);
                    connections = made;

                    long iperfStart = agent.CpuTicks();
                    long iperfAt = System.Diagnostics.Stopwatch.GetTimestamp();
                    samples[v].Gbits.Add(await PacketsIperf.RunGbitsAsync(topology, cancellationToken));
                    samples[v].IperfCpuPercent.Add((agent.CpuTicks() - iperfStart) * 100.0 / ClockTicksPerSecond / System.Diagnostics.Stopwatch.GetElapsedTime(iperfAt).TotalSeconds);
                    long crrStart = agent.CpuTicks();
                    PacketsCrrResult crr = await PacketsCrr.RunClientAsync(topology.Client.Path, PacketsTopology.ServerIp, PacketsRulesets.CrrPort, CrrDuration, cancellationToken);
                    samples[v].ConnRate.Add(crr.ConnectionsPerSecond);
                    connections += crr.Connections;
                    samples[v].CrrCpuPercent.Add((agent.CpuTicks() - crrStart) * 100.0 / ClockTicksPerSecond / CrrDuration.TotalSeconds);
                    if (v == 1)
                    {
                        // One more flush interval, so the records of the last connections are written.
                        await Task.Delay(TimeSpan.FromSeconds(6), cancellationToken);
                    }
                }

                string records = v == 1 ? CountRecords(flowsDir, connections) : "";
                Console.WriteLine(Invariant(
                    $"  round {round + 1}/{Rounds} {labels[v],-20} idle {samples[v].IdlePercent[^1],5:F1} %  paced {samples[v].PacedRate[^1],6:F0} conn/s -> CPU {samples[v].CpuPercent[^1],5:F1} %  {samples[v].Gbits[^1],6:F2} Gbit/s (CPU {samples[v].IperfCpuPercent[^1]:F1} %)  {samples[v].ConnRate[^1],6:F0} conn/s (CPU {samples[v].CrrCpuPercent[^1]:F1} %)  load {LoadAverage()} {records}"));
            }
        }

        Samples off = samples[0], on = samples[1];
        Console.WriteLine();
        Console.WriteLine(Invariant($"  load average before {loadBefore}, after {LoadAverage()} ({Environment.ProcessorCount} CPUs)"));
        Console.WriteLine(Invariant($"  {"variant",-20} {"Gbit/s min/med/max",-22} {"conn/s min/med/max",-22} {"paced conn/s",-22} {"CPU % paced",-22} {"CPU % idle",-18}"));
        for (int v = 0; v < labels.Length; v++)
        {
            Samples s = samples[v];
            Console.WriteLine(Invariant($"  {labels[v],-20} {Spread(s.Gbits, "F2"),-22} {Spread(s.ConnRate, "F0"),-22} {Spread(s.PacedRate, "F0"),-22} {Spread(s.CpuPercent, "F1"),-22} {Spread(s.IdlePercent, "F1"),-18}"));
            Console.WriteLine(Invariant($"  {"",-20} calico-node CPU % during iperf3 {Spread(s.IperfCpuPercent, "F1")}, during CRR {Spread(s.CrrCpuPercent, "F1")}"));
        }

        List<double> gbitRatios = [.. on.Gbits.Zip(off.Gbits, (a, b) => a / b)];
        List<double> rateRatios = [.. on.ConnRate.Zip(off.ConnRate, (a, b) => a / b)];
        List<double> cpuDeltas = [.. on.CpuPercent.Zip(off.CpuPercent, (a, b) => a - b)];
        Console.WriteLine();
        Console.WriteLine("  issue 14's figures (round by round: on ÷ or − the off just before it; median, min-max):");
        Console.WriteLine(Invariant($"    throughput on/off          {Median(gbitRatios):F2} ({gbitRatios.Min():F2}-{gbitRatios.Max():F2})   aim >= 0.95"));
        Console.WriteLine(Invariant($"    new-connection rate on/off {Median(rateRatios):F2} ({rateRatios.Min():F2}-{rateRatios.Max():F2})   aim >= 0.90"));
        Console.WriteLine(Invariant($"    calico-node CPU for flow logs at {Median(on.PacedRate):F0} new flows/s (target {TargetRate:F0}): {Median(cpuDeltas):F1} % of a core ({cpuDeltas.Min():F1}-{cpuDeltas.Max():F1}) on minus off   aim <= 20 % at 5,000/s"));
    }

    private static async Task WriteDatastoreAsync(string path, PacketsTopology topology, CancellationToken cancellationToken)
    {
        await using var store = DatastoreFactory.Open(new DatastoreOptions { Type = DatastoreType.Embedded, EmbeddedCreate = true, EmbeddedPath = path });
        var client = new ResourceClient(store, TimeProvider.System);
        await client.EnsureInitializedAsync(cancellationToken);
        await ControlWorld.CreateAsync(client, """{"apiVersion":"projectcalico.org/v3","kind":"IPPool","metadata":{"name":"bench-pool"},"spec":{"cidr":"10.65.0.0/16","blockSize":26}}""", cancellationToken);
        // The namespace's profile has no rules: what passes is what the policy allows.
        await ControlWorld.CreateAsync(client, """{"apiVersion":"projectcalico.org/v3","kind":"Profile","metadata":{"name":"kns.probe"},"spec":{"labelsToApply":{"pcns.projectcalico.org/name":"probe"}}}""", cancellationToken);
        await ControlWorld.CreateAsync(client, """{"apiVersion":"projectcalico.org/v3","kind":"GlobalNetworkPolicy","metadata":{"name":"bench-allow"},"spec":{"order":10,"selector":"bench == 'pod'","types":["Ingress","Egress"],"ingress":[{"action":"Allow","protocol":"TCP","source":{"selector":"bench == 'pod'"}}],"egress":[{"action":"Allow","protocol":"TCP","destination":{"selector":"bench == 'pod'"}}]}}""", cancellationToken);
        var podLabels = new Dictionary<string, string>(StringComparer.Ordinal) { ["bench"] = "pod" };
        await ControlWorld.CreateAsync(client, ControlWorld.ProbeEndpoint("client", PacketsTopology.ClientIp, topology.ClientHostIf, podLabels, null), cancellationToken);
        await ControlWorld.CreateAsync(client, ControlWorld.ProbeEndpoint("server", PacketsTopology.ServerIp, topology.ServerHostIf, podLabels, null), cancellationToken);
    }

    /// <summary>The probe passing proves nothing if no table is there yet: the pods' chains must be programmed.</summary>
    private static void CheckProgrammed(PacketsTopology topology, string label)
    {
        (int exit, string listing, string error) = topology.Host.Exec("nft", "list", "table", "inet", "calico");
        if (exit != 0 || !listing.Contains(topology.ServerHostIf, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{label}: calico-node is ready but its table does not name the server pod's interface: {error}");
        }
    }

    /// <summary>Lines of flows.log and their connections started (both pods are local: each connection is in a Src and a Dst record).</summary>
    private static string CountRecords(string flowsDir, long connections)
    {
        long lines = 0, started = 0;
        foreach (string file in Directory.Exists(flowsDir) ? Directory.GetFiles(flowsDir, "flows.log*") : [])
        {
            foreach (string line in File.ReadLines(file))
            {
                lines++;
                using JsonDocument document = JsonDocument.Parse(line);
                if (document.RootElement.TryGetProperty("num_connections_started", out JsonElement n))
                {
                    started += n.GetInt64();
                }
            }
        }

        return Invariant($"[{lines} records, {started} connections started in them for {connections} made x 2 ends]");
    }

    private static string Spread(List<double> values, string format)
    {
        List<double> sorted = [.. values.Order()];
        return $"{sorted[0].ToString(format, CultureInfo.InvariantCulture)}/{Median(sorted).ToString(format, CultureInfo.InvariantCulture)}/{sorted[^1].ToString(format, CultureInfo.InvariantCulture)}";
    }

    private static double Median(List<double> values)
    {
        List<double> sorted = [.. values.Order()];
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed class Samples
    {
        public List<double> Gbits { get; } = [];
        public List<double> ConnRate { get; } = [];
        public List<double> PacedRate { get; } = [];
        public List<double> CpuPercent { get; } = [];
        public List<double> IdlePercent { get; } = [];
        public List<double> IperfCpuPercent { get; } = [];
        public List<double> CrrCpuPercent { get; } = [];
    }
}
