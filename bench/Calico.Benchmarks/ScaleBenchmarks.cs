using System.Diagnostics;
using System.Globalization;
using System.Net;
using Calico.Api;
using Calico.Lab.Cluster;
using Calico.TestKit;

namespace Calico.Benchmarks;

/// <summary>
/// <c>scale</c>: how the costs grow with the host count. Labs of 10, 20 and 40 hosts (SCALE_HOSTS, e.g. "10,20"),
/// etcd as the datastore (SCALE_DATASTORE=embedded for the embedded store), BGP with two route reflectors and, up to
/// 20 hosts, the full node mesh; one pod per host. Per lab: up → every calico-node ready; every pod reaching every
/// other; a new pod → reachable from every other host's pod; a policy change → enforced on every host (a deny of
/// all ingress to the pods, then an allow above it, each seen by a ring of probes, pod i → pod i+1, one per
/// destination host); per-node memory (RSS, anonymous, PSS, GC heap from calico-node's metrics), threads, CPU; BIRD's
/// memory; etcd's memory, watchers and request rate. Then SCALE_WATCHERS (1000) watchers on one etcd (see
/// <see cref="ScaleWatchers"/>). SCALE_NODE_ENV="K=V;K2=V2" is passed to every calico-node (GC experiments). Root; the
/// built calico-node and calico (CALICO_LAB_BIN_DIR, default ./out/bin). Prints figures; asserts nothing; not in CI.
/// </summary>
internal static class ScaleBenchmarks
{
    private const int MeshMaxHosts = 20;
    private const int Rounds = 3;
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(120);

    public static async Task RunAsync()
    {
        CancellationToken cancellationToken = CancellationToken.None;
        IpTool.RequireRootTier();
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Binaries.EnvironmentVariable)))
        {
            Environment.SetEnvironmentVariable(Binaries.EnvironmentVariable, Path.GetFullPath("out/bin"));
        }

        int[] hostCounts = [.. (Environment.GetEnvironmentVariable("SCALE_HOSTS") ?? "10,20,40").Split(',').Select(h => int.Parse(h, CultureInfo.InvariantCulture))];
        string datastore = Environment.GetEnvironmentVariable("SCALE_DATASTORE") ?? "etcdv3";
        string[] topologies = [.. (Environment.GetEnvironmentVariable("SCALE_TOPOLOGIES") ?? "rr,mesh").Split(',')];
        foreach (string setting in (Environment.GetEnvironmentVariable("SCALE_NODE_ENV") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            // Inherited by every process the lab starts (calico-node among them).
            string[] kv = setting.Split('=', 2);
            Environment.SetEnvironmentVariable(kv[0], kv[1]);
        }

        Console.WriteLine($"scale (datastore {datastore}, VXLAN CrossSubnet, one pod per host; calico-node env: {Environment.GetEnvironmentVariable("SCALE_NODE_ENV") ?? "default"})");
        Console.WriteLine($"  machine: {Environment.ProcessorCount} cores, load average at start {File.ReadAllText("/proc/loadavg").Trim()}");
        var summary = new List<string>();
        foreach (int hosts in hostCounts)
        {
            foreach (string topology in topologies.Where(t => t == "rr" || hosts <= MeshMaxHosts))
            {
                summary.Add(await MeasureAsync(hosts, datastore, topology, cancellationToken));
            }
        }

        Console.WriteLine("scale summary (medians over nodes / rounds):");
        Console.WriteLine("  hosts topo  up s  conv s  newpod p50/all ms  deny ms  allow ms  node RSS/anon/PSS MiB  GC heap MiB  thr  idle CPU%  bird MiB  etcd MiB  watchers  etcd req/s idle/active  load");
        foreach (string line in summary)
        {
            Console.WriteLine("  " + line);
        }

        await ScaleWatchers.RunAsync(int.Parse(Environment.GetEnvironmentVariable("SCALE_WATCHERS") ?? "1000", CultureInfo.InvariantCulture), cancellationToken);
    }

    private static async Task<string> MeasureAsync(int hosts, string datastore, string topology, CancellationToken cancellationToken)
    {
        string title = string.Create(CultureInfo.InvariantCulture, $"{hosts} hosts, {(topology == "rr" ? "two route reflectors" : "full node mesh")}");
        Console.WriteLine($"scale: {title} (load average {File.ReadAllText("/proc/loadavg").Trim()})");
        var (lab, upSeconds) = await ScaleLab.UpAsync(hosts, datastore, cancellationToken);
        await using (lab)
        {
            Stats.Row("up -> every calico-node ready", Stats.F(upSeconds, "s"));
            if (topology == "rr")
            {
                await lab.ConfigureRouteReflectorsAsync(cancellationToken);
            }

            Stats.Row("one pod per host (CNI ADD, 8 at a time)", Stats.F(await lab.RunPodsAsync(cancellationToken), "s"));
            double converged = await lab.UntilFullMatrixAsync(s_limit, cancellationToken);
            Stats.Row("then every pod reaches every other (full matrix)", Stats.F(converged, "s"));

            // Idle window: CPU per node and etcd's request rate with nothing changing.
            var (nodes, birds) = await lab.ProcessesAsync(cancellationToken);
            var (etcdPids, etcdUrl) = await lab.EtcdAsync(cancellationToken);
            var idleBefore = nodes.Select(ScaleProcessSample.TryRead).ToList();
            double etcdIdleBefore = await EtcdRequestsAsync(lab, etcdUrl, cancellationToken);
            long idleStart = Stopwatch.GetTimestamp();
            await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
            double idleSeconds = Stopwatch.GetElapsedTime(idleStart).TotalSeconds;
            var idleAfter = nodes.Select(ScaleProcessSample.TryRead).ToList();
            double etcdIdleRate = (await EtcdRequestsAsync(lab, etcdUrl, cancellationToken) - etcdIdleBefore) / idleSeconds;
            var idleCpu = idleAfter.Zip(idleBefore).Where(p => p.First is not null && p.Second is not null).Select(p => (p.First!.CpuSeconds - p.Second!.CpuSeconds) / idleSeconds * 100).ToList();

            long activeStart = Stopwatch.GetTimestamp();
            double etcdActiveBefore = await EtcdRequestsAsync(lab, etcdUrl, cancellationToken);
            var (newPodP50, newPodAll) = await NewWorkloadsAsync(lab, hosts, cancellationToken);
            var (deny, allow) = await PolicyAsync(lab, cancellationToken);
            double etcdActiveRate = (await EtcdRequestsAsync(lab, etcdUrl, cancellationToken) - etcdActiveBefore) / Stopwatch.GetElapsedTime(activeStart).TotalSeconds;

            // Memory at the end: every node has seen the pods, the new pods and the policies come and go.
            var samples = nodes.Select(ScaleProcessSample.TryRead).Where(s => s is not null).Select(s => s!).ToList();
            var heaps = new List<double>();
            var gen2 = new List<double>();
            foreach (LabHost host in lab.State.Hosts)
            {
                var metrics = await ScaleMetrics.ScrapeAsync(host.Netns, "http://127.0.0.1:9091/metrics", cancellationToken);
                heaps.Add(ScaleMetrics.Get(metrics, "dotnet_gc_heap_size_bytes") / 1048576);
                gen2.Add(ScaleMetrics.Get(metrics, "dotnet_collection_count_total{generation=\"2\"}"));
            }

            var birdSamples = birds.Select(ScaleProcessSample.TryRead).Where(s => s is not null).Select(s => s!).ToList();
            var etcdSamples = etcdPids.Select(ScaleProcessSample.TryRead).Where(s => s is not null).Select(s => s!).ToList();
            var etcdMetrics = etcdUrl is null ? [] : await ScaleMetrics.ScrapeAsync(lab.Layout.FabricNetns, etcdUrl.TrimEnd('/') + "/metrics", cancellationToken);

            double Median(IEnumerable<double> values) => Stats.Percentile([.. values], 50);
            Stats.Row("calico-node RSS p50 (min-max)", string.Create(CultureInfo.InvariantCulture, $"{Median(samples.Select(s => s.RssMiB)),6:F1} MiB ({samples.Min(s => s.RssMiB):F1}-{samples.Max(s => s.RssMiB):F1})"));
            Stats.Row("calico-node anonymous RSS / file RSS / PSS p50", string.Create(CultureInfo.InvariantCulture, $"{Median(samples.Select(s => s.AnonMiB)):F1} / {Median(samples.Select(s => s.FileMiB)):F1} / {Median(samples.Select(s => s.PssMiB)):F1} MiB"));
            Stats.Row("calico-node GC heap (dotnet_gc_heap_size_bytes) p50, gen2 GCs p50", string.Create(CultureInfo.InvariantCulture, $"{Median(heaps):F1} MiB, {Median(gen2):F0}"));
            Stats.Row("calico-node threads p50, idle CPU p50 (max)", string.Create(CultureInfo.InvariantCulture, $"{Median(samples.Select(s => (double)s.Threads)):F0}, {Median(idleCpu):F2}% ({(idleCpu.Count > 0 ? idleCpu.Max() : double.NaN):F2}%)"));
            Stats.Row("calico-node CPU seconds since start p50", Stats.F(Median(samples.Select(s => s.CpuSeconds)), "s"));
            Stats.Row("BIRD RSS p50", Stats.F(Median(birdSamples.Select(s => s.RssMiB)), "MiB"));
            Stats.Row("new pod -> reachable from other hosts' pods: p50 / all", string.Create(CultureInfo.InvariantCulture, $"{newPodP50:F0} / {newPodAll:F0} ms"));
            Stats.Row("deny policy -> enforced on every host (ring of probes)", Stats.F(deny, "ms"));
            Stats.Row("allow policy above it -> enforced on every host", Stats.F(allow, "ms"));
            double etcdRss = etcdSamples.Sum(s => s.RssMiB);
            double watchers = ScaleMetrics.Get(etcdMetrics, "etcd_debugging_mvcc_watcher_total");
            Stats.Row("etcd RSS, watchers, watch streams", string.Create(CultureInfo.InvariantCulture, $"{etcdRss:F1} MiB, {watchers}, {ScaleMetrics.Get(etcdMetrics, "etcd_debugging_mvcc_watch_stream_total")}"));
            Stats.Row("etcd requests/s idle / during the changes (grpc_server_handled_total)", string.Create(CultureInfo.InvariantCulture, $"{etcdIdleRate:F1} / {etcdActiveRate:F1}"));
            string load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return string.Create(
                CultureInfo.InvariantCulture,
                $"{hosts,5} {topology,-4} {upSeconds,5:F1} {converged,7:F1} {newPodP50,8:F0}/{newPodAll,-8:F0} {deny,8:F0} {allow,9:F0}  {Median(samples.Select(s => s.RssMiB)),6:F1}/{Median(samples.Select(s => s.AnonMiB)),5:F1}/{Median(samples.Select(s => s.PssMiB)),5:F1}  {Median(heaps),11:F1}  {Median(samples.Select(s => (double)s.Threads)),3:F0}  {Median(idleCpu),9:F2}  {Median(birdSamples.Select(s => s.RssMiB)),8:F1}  {etcdRss,8:F1}  {watchers,8}  {etcdIdleRate,10:F1}/{etcdActiveRate,-8:F1} {load}");
        }
    }

    /// <summary>grpc_server_handled_total summed over methods (etcd's completed requests), or NaN on the embedded store.</summary>
    private static async Task<double> EtcdRequestsAsync(ScaleLab lab, string? url, CancellationToken cancellationToken) =>
        url is null ? double.NaN : ScaleMetrics.Get(await ScaleMetrics.ScrapeAsync(lab.Layout.FabricNetns, url.TrimEnd('/') + "/metrics", cancellationToken), "grpc_server_handled_total");

    /// <summary>A new pod on three hosts in turn (none a route reflector): from before its CNI ADD to every other host's pod connecting.</summary>
    private static async Task<(double P50, double All)> NewWorkloadsAsync(ScaleLab lab, int hosts, CancellationToken cancellationToken)
    {
        var p50s = new List<double>();
        var alls = new List<double>();
        int[] on = [hosts, hosts - 1, (hosts / 2) + 1];
        for (int round = 0; round < Rounds; round++)
        {
            string host = LabLayout.HostName(on[round]);
            string name = "new" + round.ToString(CultureInfo.InvariantCulture);
            long started = Stopwatch.GetTimestamp();
            var pod = await lab.RunPodAsync(host, name, cancellationToken);
            double cni = Stats.Ms(Stopwatch.GetTimestamp() - started);
            var target = new IPEndPoint(pod.Address, ScaleLab.Http.Port);
            var sources = lab.Pods.Where((_, i) => i != on[round] - 1).ToList();
            var times = (await Task.WhenAll(sources.Select(s => ScaleProbe.UntilConnectedAsync(s, target, started, s_limit, cancellationToken)))).ToList();
            double all = times.Any(double.IsNaN) ? double.NaN : times.Max();
            p50s.Add(Stats.Percentile(times, 50));
            alls.Add(all);
            Stats.Row(string.Create(CultureInfo.InvariantCulture, $"new pod {round + 1} on {host}: CNI ADD / reachable p50 / from all"), string.Create(CultureInfo.InvariantCulture, $"{cni:F0} / {p50s[^1]:F0} / {all:F0} ms"));
            await lab.DeletePodAsync(name, cancellationToken);
        }

        return (Stats.Percentile(p50s, 50), Stats.Percentile(alls, 50));
    }

    /// <summary>
    /// Deny every pod's ingress (order 100), then rounds of: an allow above it (order 10) → every ring probe connects;
    /// the allow deleted → every ring probe blocked again. Returns the medians (ms) to enforcement on every host.
    /// </summary>
    private static async Task<(double Deny, double Allow)> PolicyAsync(ScaleLab lab, CancellationToken cancellationToken)
    {
        var client = lab.Datastore.Client;
        var denies = new List<double>();
        var allows = new List<double>();
        var ring = lab.Pods.Select((p, i) => (From: p, To: new IPEndPoint(lab.Pods[(i + 1) % lab.Pods.Count].Address, ScaleLab.Http.Port))).ToList();
        long started = Stopwatch.GetTimestamp();
        await ScaleLab.ApplyAsync(client, Gnp("scalebench-deny", 100, null), cancellationToken);
        denies.Add(await RingAsync(ring, started, blocked: true, cancellationToken));
        for (int round = 0; round < Rounds; round++)
        {
            started = Stopwatch.GetTimestamp();
            await ScaleLab.ApplyAsync(client, Gnp("scalebench-allow", 10, "Allow"), cancellationToken);
            allows.Add(await RingAsync(ring, started, blocked: false, cancellationToken));
            started = Stopwatch.GetTimestamp();
            await client.DeleteAsync(ResourceKinds.GlobalNetworkPolicy, null, "scalebench-allow", null, cancellationToken);
            denies.Add(await RingAsync(ring, started, blocked: true, cancellationToken));
            Stats.Row(string.Create(CultureInfo.InvariantCulture, $"policy round {round + 1}: allow / deny again enforced on every host"), string.Create(CultureInfo.InvariantCulture, $"{allows[^1]:F0} / {denies[^1]:F0} ms"));
        }

        await client.DeleteAsync(ResourceKinds.GlobalNetworkPolicy, null, "scalebench-deny", null, cancellationToken);
        return (Stats.Percentile(denies, 50), Stats.Percentile(allows, 50));
    }

    private static async Task<double> RingAsync(List<(ProbeTarget From, IPEndPoint To)> ring, long started, bool blocked, CancellationToken cancellationToken)
    {
        var times = await Task.WhenAll(ring.Select(r => blocked
            ? ScaleProbe.UntilBlockedAsync(r.From, r.To, started, s_limit, cancellationToken)
            : ScaleProbe.UntilConnectedAsync(r.From, r.To, started, s_limit, cancellationToken)));
        return times.Any(double.IsNaN) ? double.NaN : times.Max();
    }

    private static GlobalNetworkPolicy Gnp(string name, double order, string? action) => new()
    {
        Metadata = { Name = name },
        Spec =
        {
            Order = order,
            Selector = "has(scalebench)",
            Types = ["Ingress"],
            Ingress = action is null ? null : [new Rule { Action = action }],
        },
    };
}
