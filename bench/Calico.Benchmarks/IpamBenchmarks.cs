using System.Diagnostics;
using System.Text;
using Calico.Api;
using Calico.Client;
using Calico.Datastore;
using Calico.Ipam;
using Calico.TestKit;

namespace Calico.Benchmarks;

/// <summary>IPAM allocation rate from one host as a ratio of the same store's raw sequential put rate, and CAS retries under contention.</summary>
internal static class IpamBenchmarks
{
    private const int Allocations = 500;
    private const int Puts = 1000;
    private const int Concurrent = 8;

    public static Task RunAsync() => Backends.ForEachAsync(MeasureAsync);

    private static async Task MeasureAsync(string name, IKeyValueStore store)
    {
        Console.WriteLine($"ipam: {name}");
        var ct = CancellationToken.None;
        var value = Encoding.UTF8.GetBytes(new string('x', 256));
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < Puts; i++)
        {
            await store.UpdateAsync($"/bench/put/{i:D6}", value, 0, ct);
        }

        double putRate = Puts / sw.Elapsed.TotalSeconds;
        Stats.Row($"raw sequential put, {Puts} keys", Stats.F(putRate, "ops/s"));

        // What IPAM's writes are: create-if-absent and update-if-revision (a txn on etcd), for context only.
        var casKey = "/bench/cas";
        long revision = (await store.CreateAsync(casKey, value, ct)).Revision;
        sw.Restart();
        for (int i = 0; i < Puts; i++)
        {
            revision = (await store.UpdateAsync(casKey, value, revision, ct)).Revision;
        }

        Stats.Row($"raw sequential CAS update, {Puts}", Stats.F(Puts / sw.Elapsed.TotalSeconds, "ops/s"));

        var pool = new IPPool { Spec = new IPPoolSpec { Cidr = "10.128.0.0/16", BlockSize = 26 } };
        pool.Metadata.Name = "bench-pool";
        await new ResourceClient(store, TimeProvider.System).CreateAsync(pool, ct);

        var ipam = new IpamClient(store, TimeProvider.System);
        sw.Restart();
        for (int i = 0; i < Allocations; i++)
        {
            await ipam.AutoAssignAsync(new AutoAssignArgs { HandleId = $"seq-{i}", Hostname = "bench-node" }, ct);
        }

        double allocRate = Allocations / sw.Elapsed.TotalSeconds;
        Stats.Row($"sequential AutoAssign, one host, {Allocations}", Stats.F(allocRate, "allocs/s"));
        Stats.Row("  ratio to raw put rate", Stats.F(allocRate / putRate, "x"));

        var retries = new List<double>();
        sw.Restart();
        var tasks = Enumerable.Range(0, Concurrent).Select(t => Task.Run(async () =>
        {
            var client = new IpamClient(store, TimeProvider.System);
            var mine = new List<double>();
            for (int i = 0; i < Allocations / Concurrent; i++)
            {
                var r = await client.AutoAssignAsync(new AutoAssignArgs { HandleId = $"par-{t}-{i}", Hostname = "bench-node" }, ct);
                mine.Add(r.Retries);
            }

            return mine;
        })).ToList();
        foreach (var list in await Task.WhenAll(tasks))
        {
            retries.AddRange(list);
        }

        Stats.Row($"{Concurrent} concurrent AutoAssign, one host", Stats.F(retries.Count / sw.Elapsed.TotalSeconds, "allocs/s"));
        Stats.Row("  CAS retries per allocation p50", Stats.F(Stats.Percentile(retries, 50), "retries"));
        Stats.Row("  CAS retries per allocation p99", Stats.F(Stats.Percentile(retries, 99), "retries"));

        sw.Restart();
        for (int i = 0; i < Allocations; i++)
        {
            await ipam.ReleaseByHandleAsync($"seq-{i}", ct);
        }

        Stats.Row($"sequential ReleaseByHandle, {Allocations}", Stats.F(Allocations / sw.Elapsed.TotalSeconds, "releases/s"));
    }
}
