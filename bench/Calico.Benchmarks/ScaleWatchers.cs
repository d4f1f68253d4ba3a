using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Calico.Datastore;
using Calico.TestKit;

namespace Calico.Benchmarks;

/// <summary>
/// <c>bench scale</c>'s synthetic part: one etcd, many watchers of the GlobalNetworkPolicy prefix in this process, each
/// on its own <see cref="IKeyValueStore"/> (its own gRPC channel and connection, as one calico-node per host has),
/// and a policy written under that prefix: milliseconds from the write to each watcher's event (p50, p99, the last),
/// etcd's memory and watcher count before and with the watchers.
/// </summary>
internal static class ScaleWatchers
{
    private const string Prefix = "/calico/resources/v3/projectcalico.org/globalnetworkpolicies/";
    private const int Rounds = 5;

    public static async Task RunAsync(int watchers, CancellationToken cancellationToken)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scale: {watchers} watchers on one etcd (one client each, in this process), a policy written under their prefix"));
        await using EtcdServer etcd = await EtcdServer.StartAsync(cancellationToken: cancellationToken);
        using var http = new HttpClient();
        var before = await MetricsAsync(http, etcd.ClientUrl, cancellationToken);
        double rssBefore = ScaleProcessSample.TryRead(etcd.ProcessId)?.RssMiB ?? double.NaN;
        double selfBefore = ScaleProcessSample.TryRead(Environment.ProcessId)?.RssMiB ?? double.NaN;

        var stores = new List<IKeyValueStore>(watchers);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var arrivals = new ConcurrentDictionary<(int Watcher, long Revision), long>();
        var tasks = new List<Task>(watchers);
        long opening = Stopwatch.GetTimestamp();
        long revision = (await OpenAsync(etcd.ClientUrl, stores).ListAsync(Prefix, cancellationToken)).Revision;
        for (int w = 0; w < watchers; w++)
        {
            IKeyValueStore store = w == 0 ? stores[0] : OpenAsync(etcd.ClientUrl, stores);
            int watcher = w;
            tasks.Add(Task.Run(
                async () =>
                {
                    try
                    {
                        await foreach (WatchEvent e in store.WatchAsync(Prefix, revision, stop.Token))
                        {
                            arrivals[(watcher, e.Revision)] = Stopwatch.GetTimestamp();
                        }
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                    }
                },
                stop.Token));
        }

        // A first write every watcher must see: from then on every stream is open.
        long warmUp = await WriteAsync(stores[0], 0, cancellationToken);
        if (!await AllSeenAsync(arrivals, watchers, warmUp, TimeSpan.FromSeconds(120), cancellationToken))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  only {arrivals.Keys.Count(k => k.Revision == warmUp)} of {watchers} watchers saw the first write within 120 s"));
        }

        double openSeconds = Stopwatch.GetElapsedTime(opening).TotalSeconds;
        var with = await MetricsAsync(http, etcd.ClientUrl, cancellationToken);
        double rssWith = ScaleProcessSample.TryRead(etcd.ProcessId)?.RssMiB ?? double.NaN;
        double selfWith = ScaleProcessSample.TryRead(Environment.ProcessId)?.RssMiB ?? double.NaN;

        var lasts = new List<double>();
        var p50s = new List<double>();
        var p99s = new List<double>();
        for (int round = 1; round <= Rounds; round++)
        {
            long written = Stopwatch.GetTimestamp();
            long rev = await WriteAsync(stores[0], round, cancellationToken);
            if (!await AllSeenAsync(arrivals, watchers, rev, TimeSpan.FromSeconds(60), cancellationToken))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  round {round}: not every watcher saw the write within 60 s"));
            }

            var ms = arrivals.Where(a => a.Key.Revision == rev).Select(a => Stats.Ms(a.Value - written)).ToList();
            lasts.Add(ms.Max());
            p50s.Add(Stats.Percentile(ms, 50));
            p99s.Add(Stats.Percentile(ms, 99));
            Stats.Row(string.Create(CultureInfo.InvariantCulture, $"round {round}: write -> watchers p50 / p99 / last"), string.Create(CultureInfo.InvariantCulture, $"{p50s[^1],8:F1} / {p99s[^1],8:F1} / {lasts[^1],8:F1} ms"));
            await Task.Delay(500, cancellationToken);
        }

        var after = await MetricsAsync(http, etcd.ClientUrl, cancellationToken);
        await stop.CancelAsync();
        await Task.WhenAll(tasks.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        foreach (IKeyValueStore store in stores)
        {
            await store.DisposeAsync();
        }

        Stats.Row("watch streams opened and confirmed (first write seen by all)", Stats.F(openSeconds, "s"));
        Stats.Row($"policy write -> every watcher: median over {Rounds} rounds of the last", Stats.F(Stats.Percentile(lasts, 50), "ms"));
        Stats.Row("  median of p50 / of p99", string.Create(CultureInfo.InvariantCulture, $"{Stats.Percentile(p50s, 50):F1} / {Stats.Percentile(p99s, 50):F1} ms"));
        Stats.Row("etcd watchers (etcd_debugging_mvcc_watcher_total) before / with", string.Create(CultureInfo.InvariantCulture, $"{ScaleMetricsGet(before, "etcd_debugging_mvcc_watcher_total")} / {ScaleMetricsGet(with, "etcd_debugging_mvcc_watcher_total")}"));
        Stats.Row("etcd RSS before / with the watchers", string.Create(CultureInfo.InvariantCulture, $"{rssBefore:F1} / {rssWith:F1} MiB"));
        Stats.Row("etcd process_resident_memory_bytes after the rounds", Stats.F(ScaleMetricsGet(after, "process_resident_memory_bytes") / 1048576, "MiB"));
        Stats.Row("this process (the watchers' clients) RSS before / with", string.Create(CultureInfo.InvariantCulture, $"{selfBefore:F1} / {selfWith:F1} MiB"));
    }

    private static double ScaleMetricsGet(Dictionary<string, double> metrics, string name) => ScaleMetrics.Get(metrics, name);

    private static IKeyValueStore OpenAsync(string url, List<IKeyValueStore> stores)
    {
        IKeyValueStore store = DatastoreFactory.Open(new DatastoreOptions { Type = DatastoreType.Etcdv3, EtcdEndpoints = [url] });
        stores.Add(store);
        return store;
    }

    private static async Task<long> WriteAsync(IKeyValueStore store, int round, CancellationToken cancellationToken)
    {
        string value = "{\"kind\":\"GlobalNetworkPolicy\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"scalebench\"},\"spec\":{\"order\":"
            + round.ToString(CultureInfo.InvariantCulture) + ",\"selector\":\"all()\",\"types\":[\"Ingress\"]}}";
        WriteResult result = await store.UpdateAsync(Prefix + "scalebench", Encoding.UTF8.GetBytes(value), 0, cancellationToken);
        return result.Succeeded ? result.Revision : throw new InvalidOperationException("the policy write failed: " + result.Status);
    }

    private static async Task<bool> AllSeenAsync(ConcurrentDictionary<(int Watcher, long Revision), long> arrivals, int watchers, long revision, TimeSpan limit, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        while (arrivals.Keys.Count(k => k.Revision == revision) < watchers)
        {
            if (Stopwatch.GetElapsedTime(started) > limit)
            {
                return false;
            }

            await Task.Delay(10, cancellationToken);
        }

        return true;
    }

    private static async Task<Dictionary<string, double>> MetricsAsync(HttpClient http, string url, CancellationToken cancellationToken)
    {
        string text = await http.GetStringAsync(url.TrimEnd('/') + "/metrics", cancellationToken);
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string line in text.Split('\n'))
        {
            int space = line.LastIndexOf(' ');
            if (line.Length == 0 || line[0] == '#' || space <= 0 || !double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            {
                continue;
            }

            string series = line[..space];
            int brace = series.IndexOf('{', StringComparison.Ordinal);
            string family = brace < 0 ? series : series[..brace];
            sums[family] = sums.GetValueOrDefault(family) + v;
        }

        return sums;
    }
}
