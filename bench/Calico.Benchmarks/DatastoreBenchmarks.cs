using System.Diagnostics;
using System.Text;
using Calico.Datastore;
using Calico.TestKit;

namespace Calico.Benchmarks;

/// <summary>Create / get / list rates and watch delivery latency, per backend, on the same machine and run.</summary>
internal static class DatastoreBenchmarks
{
    private const int Writes = 2000;
    private const int ListSize = 10_000;
    private const int WatchEvents = 500;

    public static Task RunAsync() => Backends.ForEachAsync(MeasureAsync);

    private static async Task MeasureAsync(string name, IKeyValueStore store)
    {
        Console.WriteLine($"datastore: {name}");
        var value = Encoding.UTF8.GetBytes(new string('x', 128));
        var ct = CancellationToken.None;

        var sw = Stopwatch.StartNew();
        for (var i = 0; i < Writes; i++)
        {
            await store.CreateAsync($"/bench/create/{i:D6}", value, ct);
        }

        Stats.Row($"sequential create (CAS), {Writes} keys", Stats.F(Writes / sw.Elapsed.TotalSeconds, "ops/s"));

        sw.Restart();
        for (var i = 0; i < Writes; i++)
        {
            await store.GetAsync($"/bench/create/{i:D6}", ct);
        }

        Stats.Row($"sequential get, {Writes} keys", Stats.F(Writes / sw.Elapsed.TotalSeconds, "ops/s"));

        var latest = await store.GetAsync("/bench/create/000000", ct);
        sw.Restart();
        var rev = latest!.Revision;
        for (var i = 0; i < Writes; i++)
        {
            var r = await store.UpdateAsync("/bench/create/000000", value, rev, ct);
            rev = r.Revision;
        }

        Stats.Row($"sequential update-if-revision, {Writes}", Stats.F(Writes / sw.Elapsed.TotalSeconds, "ops/s"));

        for (var i = Writes; i < ListSize; i++)
        {
            await store.UpdateAsync($"/bench/create/{i:D6}", value, 0, ct);
        }

        var lists = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            sw.Restart();
            var l = await store.ListAsync("/bench/create/", ct);
            lists.Add(sw.Elapsed.TotalMilliseconds);
            if (l.Items.Count != ListSize)
            {
                throw new InvalidOperationException($"list returned {l.Items.Count}");
            }
        }

        Stats.Row($"list {ListSize} keys (median of 5)", Stats.F(Stats.Percentile(lists, 50), "ms"));

        await MeasureWatchAsync(store, value);
    }

    /// <summary>Time from just before a put until the watcher sees it, with puts spaced 2 ms apart.</summary>
    private static async Task MeasureWatchAsync(IKeyValueStore store, byte[] value)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var start = await store.ListAsync("/bench/watch/", cts.Token);
        var sent = new long[WatchEvents];
        var latencies = new List<double>(WatchEvents);
        var ready = new TaskCompletionSource();
        var watcher = Task.Run(async () =>
        {
            var seen = 0;
            ready.TrySetResult();
            await foreach (var e in store.WatchAsync("/bench/watch/", start.Revision, cts.Token))
            {
                var now = Stopwatch.GetTimestamp();
                var index = int.Parse(e.Key.AsSpan("/bench/watch/".Length), provider: System.Globalization.CultureInfo.InvariantCulture);
                latencies.Add(Stats.Ms(now - Volatile.Read(ref sent[index])));
                if (++seen == WatchEvents)
                {
                    return;
                }
            }
        }, cts.Token);
        await ready.Task;
        await Task.Delay(200, cts.Token); // let the watch establish before the first put

        for (var i = 0; i < WatchEvents; i++)
        {
            Volatile.Write(ref sent[i], Stopwatch.GetTimestamp());
            await store.UpdateAsync($"/bench/watch/{i}", value, 0, cts.Token);
            await Task.Delay(2, cts.Token);
        }

        await watcher;
        Stats.Row($"watch delivery p50 ({WatchEvents} puts, 2 ms apart)", Stats.F(Stats.Percentile(latencies, 50), "ms"));
        Stats.Row($"watch delivery p99", Stats.F(Stats.Percentile(latencies, 99), "ms"));
    }
}
