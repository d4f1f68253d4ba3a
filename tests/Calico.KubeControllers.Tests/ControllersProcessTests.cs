using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Calico.Api;
using Calico.Client;
using Calico.Datastore;
using Calico.KubeControllers.Leadership;
using Calico.TestKit;

namespace Calico.KubeControllers.Tests;

/// <summary>
/// The real binary (its apphost in the test output) over a real etcd: ready through check-status, metrics answering,
/// the running configuration written back, host endpoints made; two instances with one active, and the standby
/// taking over when the active one is killed with SIGKILL.
/// </summary>
[Trait("Tier", "Root")]
public sealed class ControllersProcessTests(EtcdFixture etcd) : IClassFixture<EtcdFixture>, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);
    private readonly ChildProcess _processes = new();
    private readonly TempDirectory _dir = new("kc-proc");

    private static string Apphost => Path.Combine(AppContext.BaseDirectory, "calico-kube-controllers");

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose()
    {
        _processes.Dispose();
        _dir.Dispose();
    }

    private Dictionary<string, string> Environment() => new(StringComparer.Ordinal)
    {
        ["DATASTORE_TYPE"] = "etcdv3",
        ["ETCD_ENDPOINTS"] = etcd.Server.ClientUrl,
    };

    private Process StartInstance(string statusFile) =>
        _processes.Start(Apphost, ["--status-file", statusFile, "--lease-duration", "3s"], Environment());

    private async Task<ResourceClient> ClientAsync()
    {
        var store = DatastoreFactory.Open(CalicoApiConfig.LoadFromEnvironment(n => Environment().GetValueOrDefault(n)));
        var client = new ResourceClient(store, TimeProvider.System);
        await client.EnsureInitializedAsync(Ct);
        return client;
    }

    private static async Task SetConfigAsync(ResourceClient client, Action<KubeControllersConfiguration> change)
    {
        for (int attempt = 0; ; attempt++)
        {
            var kcc = await client.GetAsync(ResourceKinds.KubeControllersConfiguration, null, "default", Ct) as KubeControllersConfiguration;
            bool create = kcc is null;
            kcc ??= Config.KubeControllersDefaults.Create();
            change(kcc);
            var result = create ? await client.CreateAsync(kcc, Ct) : await client.UpdateAsync(kcc, Ct);
            if (result.Succeeded)
            {
                return;
            }

            Assert.True(attempt < 10, result.Message);
        }
    }

    private static async Task<(int Exit, string Output)> CheckStatusAsync(string statusFile)
    {
        using var process = Process.Start(new ProcessStartInfo(Apphost, ["check-status", "-r", "-f", statusFile]) { RedirectStandardOutput = true })!;
        string output = await process.StandardOutput.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, output.Trim());
    }

    private static bool? Active(string statusFile)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(statusFile));
            return doc.RootElement.TryGetProperty("Active", out var active) ? active.GetBoolean() : null;
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null;
        }
    }

    private async Task WaitForAsync(Func<Task<bool>> condition, string what, params Process[] processes)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            foreach (var p in processes)
            {
                if (p.HasExited)
                {
                    Assert.Fail($"calico-kube-controllers exited ({p.ExitCode}) while waiting for {what}:\n{_processes.OutputOf(p)}");
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}:\n" + string.Join("\n---\n", processes.Select(_processes.OutputOf)));
            await Task.Delay(250, Ct);
        }
    }


    [Fact]
    public async Task Process_TurnsReady_ServesMetrics_WritesRunningConfig_MakesHostEndpoints()
    {
        int port = LoopbackPort.Free();
        var client = await ClientAsync();
        await using var store = client.Store;
        await SetConfigAsync(client, kcc =>
        {
            kcc.Spec.PrometheusMetricsPort = port;
            kcc.Spec.Controllers.Node!.LeakGracePeriod = "1m";
            kcc.Spec.Controllers.Node.HostEndpoint = new AutoHostEndpointConfig { AutoCreate = "Enabled" };
        });
        var node = new Node();
        node.Metadata.Name = "kc-proc-node";
        node.Spec.Bgp = new NodeBGPSpec { Ipv4Address = "192.0.2.21/24" };
        await client.CreateAsync(node, Ct);

        string statusFile = _dir.File("status.json");
        var before = await CheckStatusAsync(statusFile);
        Assert.Equal(1, before.Exit);

        var process = StartInstance(statusFile);
        await WaitForAsync(async () => (await CheckStatusAsync(statusFile)).Exit == 0, "check-status -r to report Ready", process);
        Assert.Equal((0, "Ready"), await CheckStatusAsync(statusFile));

        using var http = new HttpClient();
        string metrics = "";
        await WaitForAsync(async () =>
        {
            try
            {
                metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/metrics"), Ct);
                return metrics.Contains("calico_kube_controllers_active 1", StringComparison.Ordinal);
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "metrics to show the instance active", process);
        Assert.Contains("process_resident_memory_bytes", metrics, StringComparison.Ordinal);

        await WaitForAsync(async () => await client.GetAsync(ResourceKinds.HostEndpoint, null, "kc-proc-node-auto-hep", Ct) is HostEndpoint, "the automatic host endpoint", process);
        await WaitForAsync(
            async () => await client.GetAsync(ResourceKinds.KubeControllersConfiguration, null, "default", Ct) is KubeControllersConfiguration
            { Status.RunningConfig.Controllers.Node.LeakGracePeriod: "1m0s" },
            "status.runningConfig to be written",
            process);

        await client.DeleteAsync(ResourceKinds.Node, null, "kc-proc-node", null, Ct);
        await WaitForAsync(async () => await client.GetAsync(ResourceKinds.HostEndpoint, null, "kc-proc-node-auto-hep", Ct) is null, "the host endpoint of the deleted node to go", process);
    }

    [Fact]
    public async Task TwoInstances_OneActive_ActiveKilled_StandbyTakesOver()
    {
        var client = await ClientAsync();
        await using var store = client.Store;
        await SetConfigAsync(client, kcc => kcc.Spec.PrometheusMetricsPort = 0);

        string statusA = _dir.File("a.json"), statusB = _dir.File("b.json");
        var a = StartInstance(statusA);
        var b = StartInstance(statusB);
        await WaitForAsync(() => Task.FromResult(Active(statusA) == true || Active(statusB) == true), "one instance to become active", a, b);

        // Watch for a few renewal intervals: never both, never none.
        for (int i = 0; i < 8; i++)
        {
            Assert.NotEqual(Active(statusA), Active(statusB));
            await Task.Delay(500, Ct);
        }

        var (active, standby, standbyStatus) = Active(statusA) == true ? (a, b, statusB) : (b, a, statusA);
        var holderBefore = (await store.GetAsync(LeaseKeeper.Key, Ct))!.Revision;
        ChildProcess.Kill(active);

        await WaitForAsync(() => Task.FromResult(Active(standbyStatus) == true), "the standby to take over", standby);
        var record = await store.GetAsync(LeaseKeeper.Key, Ct);
        Assert.NotNull(record);
        Assert.NotEqual(holderBefore, record.Revision);
        Assert.Contains("\"holderIdentity\"", System.Text.Encoding.UTF8.GetString(record.Value), StringComparison.Ordinal);
        Assert.Equal((0, "Ready"), await CheckStatusAsync(standbyStatus));
    }

    [Fact]
    public async Task EtcdCompactor_CompactsToTheRevisionOfThePreviousPeriod()
    {
        var client = await ClientAsync();
        await using var store = client.Store;
        var etcdStore = Assert.IsType<Datastore.Etcd.EtcdKeyValueStore>(store);
        var compactor = new Controllers.EtcdCompactor(etcdStore, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        string prefix = "/calico/test/compaction/" + Guid.NewGuid().ToString("N") + "/";
        var first = await store.UpdateAsync(prefix + "k", "1"u8.ToArray(), 0, Ct);

        Assert.Null(await compactor.StepAsync(Ct));
        await store.UpdateAsync(prefix + "k", "2"u8.ToArray(), 0, Ct);
        long? compacted = await compactor.StepAsync(Ct);
        Assert.NotNull(compacted);
        Assert.True(compacted >= first.Revision);

        // History before the compacted revision is gone: a watch from there must re-list.
        await Assert.ThrowsAsync<WatchCompactedException>(async () =>
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await foreach (var _ in store.WatchAsync(prefix, compacted.Value - 2, cts.Token))
            {
            }
        });
        Assert.Equal("2"u8.ToArray(), (await store.GetAsync(prefix + "k", Ct))!.Value);
    }
}
