using System.Diagnostics;
using System.Text.Json.Nodes;
using Calico.Api;
using Calico.Client;
using Calico.Datastore;
using Calico.TestKit;

namespace Calico.Benchmarks;

/// <summary>
/// Wall time of <c>calicoctl get</c> as an operator runs it (exec of the binary to exit), for 1 and for 10,000
/// IP pools in the embedded store, beside the exec floor of <c>calicoctl version --client</c> and of /bin/true.
/// Uses the Native AOT binary from out/bin when ./build.sh has run, else the framework-dependent apphost.
/// </summary>
internal static class CalicoctlBenchmarks
{
    private const int Runs = 20;

    public static async Task RunAsync()
    {
        var binary = FindBinary();
        Console.WriteLine($"calicoctl: {binary}");
        using var dir = new TempDirectory("bench-calicoctl-");
        var db = Path.Combine(dir.Path, "calico.db");
        var env = new Dictionary<string, string> { ["DATASTORE_TYPE"] = "embedded", ["CALICO_DATASTORE_PATH"] = db };

        Stats.Row("exec floor: /bin/true", Stats.F(Time("/bin/true", [], env), "ms p50"));
        Stats.Row("calicoctl version --client", Stats.F(Time(binary, ["version", "--client"], env), "ms p50"));

        await using (var store = DatastoreFactory.Open(new DatastoreOptions { Type = DatastoreType.Embedded, EmbeddedCreate = true, EmbeddedPath = db }))
        {
            await WritePoolsAsync(store, 0, 1);
        }

        Stats.Row("calicoctl get ippool (1 pool, ps)", Stats.F(Time(binary, ["get", "ippool"], env), "ms p50"));
        Stats.Row("calicoctl get ippool ippool-0 -o yaml (1 pool)", Stats.F(Time(binary, ["get", "ippool", "ippool-0", "-o", "yaml"], env), "ms p50"));

        await using (var store = DatastoreFactory.Open(new DatastoreOptions { Type = DatastoreType.Embedded, EmbeddedCreate = true, EmbeddedPath = db }))
        {
            await WritePoolsAsync(store, 1, 10_000);
        }

        Stats.Row("calicoctl get ippool (10,000 pools, ps)", Stats.F(Time(binary, ["get", "ippool"], env, runs: 5), "ms p50"));
        Stats.Row("calicoctl get ippool -o yaml (10,000 pools)", Stats.F(Time(binary, ["get", "ippool", "-o", "yaml"], env, runs: 5), "ms p50"));
    }

    /// <summary>Pools written straight through the store (non-overlapping /26s), as a big cluster would have them.</summary>
    private static async Task WritePoolsAsync(IKeyValueStore store, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            var pool = ResourceCodec.FromJsonNode(new JsonObject
            {
                ["apiVersion"] = "projectcalico.org/v3",
                ["kind"] = "IPPool",
                ["metadata"] = new JsonObject { ["name"] = $"ippool-{i}", ["uid"] = Guid.NewGuid().ToString(), ["creationTimestamp"] = "2026-11-25T10:00:00Z" },
                ["spec"] = new JsonObject { ["cidr"] = $"10.{i / 1024 % 256}.{i / 4 % 256}.{i % 4 * 64}/26", ["natOutgoing"] = true },
            });
            ResourceDefaults.Apply(pool);
            await store.UpdateAsync(ResourceIdentity.Key(ResourceKinds.Of(pool), null, pool.Metadata.Name!), ResourceCodec.ToStorageJson(pool), 0, CancellationToken.None);
        }
    }

    private static double Time(string file, string[] args, Dictionary<string, string> env, int runs = Runs)
    {
        var samples = new List<double>(runs);
        for (var i = 0; i < runs + 1; i++)
        {
            var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var (k, v) in env)
            {
                psi.Environment[k] = v;
            }

            var sw = Stopwatch.StartNew();
            using var p = Process.Start(psi)!;
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0)
            {
                throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {p.ExitCode}");
            }

            if (i > 0)
            {
                samples.Add(sw.Elapsed.TotalMilliseconds); // the first run warms the page cache
            }
        }

        return Stats.Percentile(samples, 50);
    }

    private static string FindBinary()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Calico.sln")))
        {
            dir = dir.Parent;
        }

        var root = dir?.FullName ?? throw new InvalidOperationException("repository root not found");
        var aot = Path.Combine(root, "out", "bin", "calicoctl");
        return File.Exists(aot) ? aot : Path.Combine(AppContext.BaseDirectory, "calicoctl");
    }
}
