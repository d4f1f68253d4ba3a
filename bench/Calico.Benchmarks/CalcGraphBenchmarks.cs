using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Calico.Api;
using Calico.Client;
using Calico.Datastore;
using Calico.Datastore.Syncer;
using Calico.Felix.Calc;
using Calico.TestKit;

namespace Calico.Benchmarks;

/// <summary>
/// The calculation graph at the issue's scale: 10,000 endpoints on 100 hosts (100 local to the measured host),
/// 1,000 policies, 500 network sets. Prints the initial calculation time and memory, the latency from one
/// update to its emitted output (label change, policy edit, endpoint added), and the path from an etcd write to
/// the update entering the engine beside etcd's own watch delivery, measured in the same run.
/// </summary>
internal static class CalcGraphBenchmarks
{
    private const int Hosts = 100;
    private const int EndpointsPerHost = 100;
    private const int Namespaces = 50;
    private const int Policies = 1000;
    private const int NetworkSets = 500;
    private const int Apps = 200;
    private const string LocalHost = "host0";

    public static async Task RunAsync()
    {
        Console.WriteLine($"calculation graph: {Hosts * EndpointsPerHost} endpoints on {Hosts} hosts ({EndpointsPerHost} local), {Policies} policies, {NetworkSets} network sets");
        var world = BuildWorld();

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var sw = Stopwatch.StartNew();
        var graph = new CalculationGraph(LocalHost);
        foreach (var u in world)
        {
            graph.OnUpdate(u);
        }

        graph.OnInSync();
        var initial = graph.Flush();
        sw.Stop();
        var after = GC.GetTotalMemory(forceFullCollection: true);
        Stats.Row("initial calculation (feed + flush)", Stats.F(sw.Elapsed.TotalMilliseconds, "ms"));
        Stats.Row($"initial dataplane updates emitted", string.Create(CultureInfo.InvariantCulture, $"{initial.Count,10}"));
        Stats.Row("graph memory after initial calculation", Stats.F((after - before) / 1024.0 / 1024.0, "MiB"));

        MeasureUpdates("label change on a local endpoint", graph, i => LabelChange(i));
        MeasureUpdates("policy edit (selector and rule port)", graph, i => PolicyEdit(i));
        MeasureUpdates("endpoint added on the local host", graph, i => Endpoint(LocalHost, 1_000_000 + i, $"ns{i % Namespaces}", $"app{i % Apps}"));

        await MeasureEtcdToEngineAsync();
    }

    private static void MeasureUpdates(string what, CalculationGraph graph, Func<int, ResourceUpdate> make)
    {
        const int Count = 1000;
        var samples = new List<double>(Count);
        for (var i = 0; i < Count; i++)
        {
            var update = make(i);
            var t0 = Stopwatch.GetTimestamp();
            graph.OnUpdate(update);
            graph.Flush();
            samples.Add(Stats.Ms(Stopwatch.GetTimestamp() - t0));
        }

        Stats.Row($"{what}: p50", Stats.F(Stats.Percentile(samples, 50), "ms"));
        Stats.Row($"{what}: p99", Stats.F(Stats.Percentile(samples, 99), "ms"));
    }

    private static List<ResourceUpdate> BuildWorld()
    {
        var updates = new List<ResourceUpdate>();
        updates.Add(Update(ResourceKinds.Tier, """{"apiVersion":"projectcalico.org/v3","kind":"Tier","metadata":{"name":"default"},"spec":{"order":1000000,"defaultAction":"Deny"}}"""));
        updates.Add(Update(ResourceKinds.Tier, """{"apiVersion":"projectcalico.org/v3","kind":"Tier","metadata":{"name":"security"},"spec":{"order":100,"defaultAction":"Pass"}}"""));
        for (var n = 0; n < Namespaces; n++)
        {
            updates.Add(Update(ResourceKinds.Profile, string.Create(CultureInfo.InvariantCulture, $"{{\"apiVersion\":\"projectcalico.org/v3\",\"kind\":\"Profile\",\"metadata\":{{\"name\":\"kns.ns{n}\"}},\"spec\":{{\"ingress\":[{{\"action\":\"Allow\"}}],\"egress\":[{{\"action\":\"Allow\"}}],\"labelsToApply\":{{\"pcns.projectcalico.org/name\":\"ns{n}\",\"pcns.team\":\"team{n % 10}\"}}}}}}")));
        }

        for (var s = 0; s < NetworkSets; s++)
        {
            updates.Add(Update(ResourceKinds.GlobalNetworkSet, string.Create(CultureInfo.InvariantCulture, $"{{\"apiVersion\":\"projectcalico.org/v3\",\"kind\":\"GlobalNetworkSet\",\"metadata\":{{\"name\":\"netset-{s}\",\"labels\":{{\"feed\":\"feed{s % 50}\"}}}},\"spec\":{{\"nets\":[\"198.{18 + s / 250}.{s % 250}.0/24\",\"203.0.{s % 250}.0/28\"]}}}}")));
        }

        for (var p = 0; p < Policies; p++)
        {
            updates.Add(Policy(p, $"app{p % Apps}", 80 + (p % 10)));
        }

        for (var h = 0; h < Hosts; h++)
        {
            for (var e = 0; e < EndpointsPerHost; e++)
            {
                var i = h * EndpointsPerHost + e;
                updates.Add(Endpoint($"host{h}", i, $"ns{i % Namespaces}", $"app{i % Apps}"));
            }
        }

        return updates;
    }

    private static ResourceUpdate Policy(int p, string app, int port)
    {
        var ns = $"ns{p % Namespaces}";
        var json = p % 4 == 3
            ? string.Create(CultureInfo.InvariantCulture, $"{{\"apiVersion\":\"projectcalico.org/v3\",\"kind\":\"GlobalNetworkPolicy\",\"metadata\":{{\"name\":\"gnp-{p}\"}},\"spec\":{{\"tier\":\"security\",\"order\":{p},\"selector\":\"app == '{app}'\",\"types\":[\"Ingress\",\"Egress\"],\"ingress\":[{{\"action\":\"Deny\",\"source\":{{\"selector\":\"feed == 'feed{p % 50}'\"}}}}],\"egress\":[{{\"action\":\"Pass\",\"destination\":{{\"selector\":\"feed == 'feed{(p + 1) % 50}'\"}}}}]}}}}")
            : string.Create(CultureInfo.InvariantCulture, $"{{\"apiVersion\":\"projectcalico.org/v3\",\"kind\":\"NetworkPolicy\",\"metadata\":{{\"name\":\"np-{p}\",\"namespace\":\"{ns}\"}},\"spec\":{{\"order\":{p % 100},\"selector\":\"app == '{app}'\",\"types\":[\"Ingress\"],\"ingress\":[{{\"action\":\"Allow\",\"protocol\":\"TCP\",\"source\":{{\"selector\":\"role == 'frontend'\",\"namespaceSelector\":\"team == 'team{p % 10}'\"}},\"destination\":{{\"ports\":[{port},\"http\"]}}}},{{\"action\":\"Allow\",\"source\":{{\"nets\":[\"10.{p % 250}.0.0/16\"]}}}}]}}}}");
        return Update(p % 4 == 3 ? ResourceKinds.GlobalNetworkPolicy : ResourceKinds.NetworkPolicy, json);
    }

    private static ResourceUpdate PolicyEdit(int i) => Policy(i % Policies == 3 ? 4 : i % Policies, $"app{(i * 7) % Apps}", 1000 + i % 1000);

    private static ResourceUpdate Endpoint(string host, int i, string ns, string app)
    {
        var pod = $"pod-{i}";
        var name = $"{host}-k8s-pod--{i}-eth0";
        var role = i % 3 == 0 ? "frontend" : "backend";
        var ip = $"10.{64 + i / 65536}.{i / 256 % 256}.{i % 256}/32";
        var json = string.Create(CultureInfo.InvariantCulture, $"{{\"apiVersion\":\"projectcalico.org/v3\",\"kind\":\"WorkloadEndpoint\",\"metadata\":{{\"name\":\"{name}\",\"namespace\":\"{ns}\",\"labels\":{{\"app\":\"{app}\",\"role\":\"{role}\",\"projectcalico.org/namespace\":\"{ns}\",\"projectcalico.org/orchestrator\":\"k8s\"}}}},\"spec\":{{\"orchestrator\":\"k8s\",\"node\":\"{host}\",\"pod\":\"{pod}\",\"endpoint\":\"eth0\",\"interfaceName\":\"cali{i:x8}\",\"ipNetworks\":[\"{ip}\"],\"profiles\":[\"kns.{ns}\"],\"ports\":[{{\"name\":\"http\",\"protocol\":\"TCP\",\"port\":8080}}]}}}}");
        return Update(ResourceKinds.WorkloadEndpoint, json);
    }

    /// <summary>Moves a local endpoint between apps and roles, so it leaves and joins policy and IP-set selectors.</summary>
    private static ResourceUpdate LabelChange(int i)
    {
        var index = i % EndpointsPerHost; // host0's endpoints are 0..99
        return Endpoint(LocalHost, index, $"ns{index % Namespaces}", $"app{(index + i + 1) % Apps}");
    }

    private static ResourceUpdate Update(ResourceKind kind, string json)
    {
        var r = ResourceCodec.FromJsonNode((JsonObject)JsonNode.Parse(json)!);
        ResourceDefaults.Apply(r);
        return new ResourceUpdate(kind, r.Metadata.Namespace, r.Metadata.Name!, r);
    }

    /// <summary>
    /// etcd write -> syncer -> decoded -> graph.OnUpdate, beside a raw etcd watch on the same key space, same run.
    /// </summary>
    private static async Task MeasureEtcdToEngineAsync()
    {
        const int Writes = 300;
        await using var etcd = await EtcdServer.StartAsync();
        await using var store = DatastoreFactory.Open(new DatastoreOptions { Type = DatastoreType.Etcdv3, EtcdEndpoints = [etcd.ClientUrl] });
        var prefix = ResourceIdentity.Prefix(ResourceKinds.GlobalNetworkSet, null);
        var graph = new CalculationGraph(LocalHost);
        var sent = new long[Writes];
        var engine = new List<double>(Writes);
        var raw = new List<double>(Writes);
        var done = new TaskCompletionSource();

        var callbacks = new EngineFeed(graph, (index, now) =>
        {
            engine.Add(Stats.Ms(now - Volatile.Read(ref sent[index])));
            if (engine.Count == Writes)
            {
                done.TrySetResult();
            }
        });
        await using var syncer = new WatcherSyncer(store, [prefix], callbacks);
        syncer.Start();
        await callbacks.InSync.Task.WaitAsync(TimeSpan.FromSeconds(30));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var startRev = (await store.ListAsync(prefix, cts.Token)).Revision;
        var rawWatcher = Task.Run(async () =>
        {
            await foreach (var e in store.WatchAsync(prefix, startRev, cts.Token))
            {
                var now = Stopwatch.GetTimestamp();
                raw.Add(Stats.Ms(now - Volatile.Read(ref sent[IndexOf(e.Key)])));
                if (raw.Count == Writes)
                {
                    return;
                }
            }
        }, cts.Token);
        await Task.Delay(200, cts.Token);

        for (var i = 0; i < Writes; i++)
        {
            var json = string.Create(CultureInfo.InvariantCulture, $"{{\"apiVersion\":\"projectcalico.org/v3\",\"kind\":\"GlobalNetworkSet\",\"metadata\":{{\"name\":\"w{i}\"}},\"spec\":{{\"nets\":[\"192.0.2.{i % 256}/32\"]}}}}");
            Volatile.Write(ref sent[i], Stopwatch.GetTimestamp());
            await store.UpdateAsync(prefix + "w" + i.ToString(CultureInfo.InvariantCulture), Encoding.UTF8.GetBytes(json), 0, cts.Token);
            await Task.Delay(3, cts.Token);
        }

        await Task.WhenAll(rawWatcher, done.Task.WaitAsync(cts.Token));
        Stats.Row("etcd watch delivery (raw) p50", Stats.F(Stats.Percentile(raw, 50), "ms"));
        Stats.Row("etcd watch delivery (raw) p99", Stats.F(Stats.Percentile(raw, 99), "ms"));
        Stats.Row("etcd write -> update in the engine p50", Stats.F(Stats.Percentile(engine, 50), "ms"));
        Stats.Row("etcd write -> update in the engine p99", Stats.F(Stats.Percentile(engine, 99), "ms"));
        Stats.Row("ratio engine p99 / raw watch p99 (goal <= 2)", Stats.F(Stats.Percentile(engine, 99) / Stats.Percentile(raw, 99), "x"));
    }

    private static int IndexOf(string key) =>
        int.Parse(key.AsSpan(key.LastIndexOf('/') + 2), CultureInfo.InvariantCulture);

    /// <summary>The syncer's callbacks: decode each update and hand it to the graph, timing arrival.</summary>
    private sealed class EngineFeed(CalculationGraph graph, Action<int, long> arrived) : ISyncerCallbacks
    {
        public TaskCompletionSource InSync { get; } = new();

        public void OnStatusUpdated(SyncStatus status)
        {
            if (status == SyncStatus.InSync)
            {
                InSync.TrySetResult();
            }
        }

        public void OnUpdates(IReadOnlyList<SyncUpdate> updates)
        {
            foreach (var u in updates)
            {
                var kind = ResourceKinds.GlobalNetworkSet;
                var r = u.Value is null ? null : ResourceCodec.FromStorageJson(kind, u.Value);
                var name = u.Key[(u.Key.LastIndexOf('/') + 1)..];
                graph.OnUpdate(new ResourceUpdate(kind, null, name, r));
                graph.Flush();
                arrived(IndexOf(u.Key), Stopwatch.GetTimestamp());
            }
        }
    }
}
