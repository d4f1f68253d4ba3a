using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Calico.Goldmane.Api;
using Calico.Goldmane.Store;
using Calico.Observability.Metrics;
using Calico.TestKit;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;
using FlowAction = Calico.Goldmane.Api.Action;

namespace Calico.Benchmarks;

/// <summary>
/// The goldmane aggregator (the Native AOT binary from out/bin, built by ./build.sh): binary size; exec → /readiness
/// 200 and idle RSS; then 100,000 distinct flows sent over one FlowCollector.Connect stream (pipelined, one receipt
/// each): time to ingest and RSS with them in its window; a List of all of them with a filter, and page 1 of 100
/// sorted by name. Beside it, the same flows in an in-process store: managed heap after a full GC.
/// </summary>
internal static class GoldmaneBenchmarks
{
    private const int Flows = 100_000;

    public static async Task RunAsync()
    {
        string binary = Environment.GetEnvironmentVariable("GOLDMANE_BIN") is { Length: > 0 } fromEnv ? fromEnv : Path.GetFullPath("out/bin/goldmane");
        if (!File.Exists(binary))
        {
            Console.WriteLine($"goldmane: {binary} is missing; run ./build.sh first (or set GOLDMANE_BIN)");
            return;
        }

        Console.WriteLine($"goldmane: {binary}");
        Stats.Row("binary size", Stats.F(new FileInfo(binary).Length / 1048576.0, "MiB"));

        var starts = new List<double>();
        var idleRss = new List<double>();
        for (int run = 0; run < 5; run++)
        {
            using var children = new ChildProcess();
            (var process, int grpcPort, _, double ms) = await StartAsync(children, binary);
            starts.Add(ms);
            await Task.Delay(500);
            idleRss.Add(RssMiB(process.Id));
        }

        Stats.Row("exec -> /readiness 200, p50 of 5 (min)", Stats.F(Stats.Percentile(starts, 50), $"ms ({starts.Min():F1})"));
        Stats.Row("idle RSS after start, p50 of 5", Stats.F(Stats.Percentile(idleRss, 50), "MiB"));

        var flows = MakeFlows(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        using (var children = new ChildProcess())
        {
            (var process, int grpcPort, _, _) = await StartAsync(children, binary);
            using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
            var watch = Stopwatch.StartNew();
            await SendAsync(new FlowCollector.FlowCollectorClient(channel), flows);
            watch.Stop();
            Stats.Row($"ingest {Flows:N0} distinct flows (one Connect stream)", Stats.F(watch.Elapsed.TotalMilliseconds, $"ms ({Flows / watch.Elapsed.TotalSeconds:N0} flows/s)"));
            await Task.Delay(1000);
            Stats.Row($"RSS with {Flows:N0} flows in the window", Stats.F(RssMiB(process.Id), "MiB"));

            var client = new Flows.FlowsClient(channel);
            var list = Stopwatch.StartNew();
            var all = await client.ListAsync(new FlowListRequest { Filter = new Filter { Actions = { FlowAction.Deny } } });
            list.Stop();
            Stats.Row($"List with a filter ({all.Meta.TotalResults:N0} of {Flows:N0} match)", Stats.F(list.Elapsed.TotalMilliseconds, "ms"));
            list.Restart();
            var page = await client.ListAsync(new FlowListRequest { PageSize = 100, SortBy = { new SortOption { SortBy = SortBy.SourceName } } });
            list.Stop();
            Stats.Row($"List page 1 of 100 sorted by source name (of {page.Meta.TotalResults:N0})", Stats.F(list.Elapsed.TotalMilliseconds, "ms"));
            Stats.Row($"RSS after the queries", Stats.F(RssMiB(process.Id), "MiB"));
        }

        long before = GC.GetTotalMemory(forceFullCollection: true);
        var store = new FlowStore(new FlowStoreOptions(), TimeProvider.System, new StoreMetrics(new MetricsRegistry()), NullLogger<FlowStore>.Instance);
        var ingest = Stopwatch.StartNew();
        foreach (var flow in MakeFlows(DateTimeOffset.UtcNow.ToUnixTimeSeconds()))
        {
            store.Ingest(flow, "10.0.0.1");
        }

        ingest.Stop();
        long after = GC.GetTotalMemory(forceFullCollection: true);
        Stats.Row($"in-process store: ingest {store.Count:N0} flows", Stats.F(ingest.Elapsed.TotalMilliseconds, "ms"));
        Stats.Row("in-process store: managed heap for them (after full GC)", Stats.F((after - before) / 1048576.0, $"MiB ({(after - before) / (double)Flows:F0} B/flow)"));
        GC.KeepAlive(store);
    }

    /// <summary>100,000 distinct keys over 50 namespaces, 2,000 source and 500 destination workloads, 20 ports; two policy hits each; a tenth denied.</summary>
    private static List<Flow> MakeFlows(long now)
    {
        var flows = new List<Flow>(Flows);
        for (int i = 0; i < Flows; i++)
        {
            string ns = "ns-" + (i % 50).ToString(CultureInfo.InvariantCulture);
            var action = i % 10 == 0 ? FlowAction.Deny : FlowAction.Allow;
            var trace = new PolicyTrace();
            trace.EnforcedPolicies.Add(new PolicyHit { Kind = PolicyKind.GlobalNetworkPolicy, Tier = "platform", Name = "platform-baseline", Action = FlowAction.Pass, PolicyIndex = 0, RuleIndex = 1 });
            trace.EnforcedPolicies.Add(new PolicyHit { Kind = PolicyKind.CalicoNetworkPolicy, Tier = "default", Namespace = ns, Name = "policy-" + (i % 200).ToString(CultureInfo.InvariantCulture), Action = action, PolicyIndex = 1, RuleIndex = i % 4 });
            var flow = new Flow
            {
                Key = new FlowKey
                {
                    SourceName = "client-" + (i % 2000).ToString(CultureInfo.InvariantCulture) + "-",
                    SourceNamespace = ns,
                    SourceType = EndpointType.WorkloadEndpoint,
                    DestName = "server-" + (i / 2000 % 500).ToString(CultureInfo.InvariantCulture) + "-",
                    DestNamespace = "ns-" + (i / 7 % 50).ToString(CultureInfo.InvariantCulture),
                    DestType = EndpointType.WorkloadEndpoint,
                    DestPort = 8000 + (i / 5000),
                    Proto = "tcp",
                    Reporter = Reporter.Dst,
                    Action = action,
                    Policies = trace,
                },
                StartTime = now - 5,
                EndTime = now,
                PacketsIn = 10,
                PacketsOut = 8,
                BytesIn = 1500,
                BytesOut = 900,
                NumConnectionsStarted = 1,
                NumConnectionsCompleted = 1,
            };
            flow.SourceLabels.Add("app=client-" + (i % 2000 / 10).ToString(CultureInfo.InvariantCulture));
            flow.SourceLabels.Add("team=" + (i % 50).ToString(CultureInfo.InvariantCulture));
            flow.DestLabels.Add("app=server-" + (i / 2000 % 500).ToString(CultureInfo.InvariantCulture));
            flows.Add(flow);
        }

        return flows;
    }

    private static async Task SendAsync(FlowCollector.FlowCollectorClient client, List<Flow> flows)
    {
        using var call = client.Connect();
        var receipts = Task.Run(async () =>
        {
            int n = 0;
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                n++;
            }

            return n;
        });
        foreach (var flow in flows)
        {
            await call.RequestStream.WriteAsync(new FlowUpdate { Flow = flow });
        }

        await call.RequestStream.CompleteAsync();
        int received = await receipts;
        if (received != flows.Count)
        {
            Console.WriteLine($"  (only {received} receipts for {flows.Count} flows)");
        }
    }

    private static async Task<(Process Process, int GrpcPort, int HttpPort, double StartMs)> StartAsync(ChildProcess children, string binary)
    {
        int grpcPort = FreePort();
        int httpPort = FreePort();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var watch = Stopwatch.StartNew();
        var process = children.Start(binary, ["--listen-address", "127.0.0.1", "--port", grpcPort.ToString(CultureInfo.InvariantCulture), "--http-port", httpPort.ToString(CultureInfo.InvariantCulture)]);
        var ready = new Uri($"http://127.0.0.1:{httpPort}/readiness");
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(ready);
                if (response.IsSuccessStatusCode)
                {
                    return (process, grpcPort, httpPort, watch.Elapsed.TotalMilliseconds);
                }
            }
            catch (HttpRequestException)
            {
            }

            if (process.HasExited || watch.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException("goldmane did not become ready: " + children.OutputOf(process));
            }

            await Task.Delay(2);
        }
    }

    private static double RssMiB(int pid)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
            }
        }

        return double.NaN;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
