using System.Net;
using Calico.Datastore;
using Calico.Ipam;
using Calico.TestKit;

namespace Calico.Ctl.Tests;

/// <summary><c>calicoctl ipam</c> against each datastore: output formats as upstream prints them.</summary>
public abstract class IpamCommandTests : IAsyncLifetime
{
    private const string Pool = """
        apiVersion: projectcalico.org/v3
        kind: IPPool
        metadata:
          name: pool1
        spec:
          cidr: 10.50.0.0/24
          blockSize: 26
        """;

    protected abstract CtlRunner Ctl { get; }

    protected abstract IKeyValueStore OpenStore();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    private async Task<IPAddress> AllocateAsync(string handle, IReadOnlyDictionary<string, string>? attrs = null)
    {
        await using var store = OpenStore();
        var ipam = new IpamClient(store, TimeProvider.System);
        var result = await ipam.AutoAssignAsync(new AutoAssignArgs { HandleId = handle, Hostname = "node1", Attributes = attrs ?? new Dictionary<string, string>() }, CancellationToken.None);
        return result.IPv4[0].BaseAddress;
    }

    private async Task CreatePoolAsync()
    {
        var created = await Ctl.RunAsync("create -f -", Pool);
        Assert.True(created.ExitCode == 0, created.ToString());
    }

    [Fact]
    public async Task IpamConfigure_StrictAffinity_PrintsAndShowsConfiguration()
    {
        var set = await Ctl.RunAsync("ipam configure --strictaffinity=true");
        var show = await Ctl.RunAsync("ipam show --show-configuration");

        Assert.Equal("Successfully set StrictAffinity to: true\n", set.Out);
        Assert.Equal(
            """
            +------------------------------+-----------+
            | PROPERTY                     | VALUE     |
            +------------------------------+-----------+
            | StrictAffinity               | true      |
            | AutoAllocateBlocks           | true      |
            | MaxBlocksPerHost             | 0         |
            | KubeVirtVMAddressPersistence | "Enabled" |
            | IPCooldownSeconds            | 0         |
            +------------------------------+-----------+

            """.ReplaceLineEndings("\n"), show.Out);
    }

    [Fact]
    public async Task IpamConfigure_MaxBlocksWithoutStrictAffinity_Fails()
    {
        var result = await Ctl.RunAsync("ipam configure --strictaffinity=false --max-blocks-per-host 3");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("MaxBlocksPerHost requires StrictAffinity to be enabled", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IpamShow_WithBlocks_PrintsUtilisationTable()
    {
        await CreatePoolAsync();
        await AllocateAsync("h1");

        var result = await Ctl.RunAsync("ipam show --show-blocks");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            """
            +----------+----------------+-----------+------------+--------------+------------+
            | GROUPING | CIDR           | IPS TOTAL | IPS IN USE | IPS RESERVED | IPS FREE   |
            +----------+----------------+-----------+------------+--------------+------------+
            | IP Pool  | 10.50.0.0/24   |       256 |     1 (0%) |       0 (0%) | 255 (100%) |
            | Block    | 10.50.0.128/26 |        64 |     1 (2%) |       0 (0%) |   63 (98%) |
            +----------+----------------+-----------+------------+--------------+------------+

            """.ReplaceLineEndings("\n"), result.Out);
    }

    [Fact]
    public async Task IpamShowIp_AssignedAndFree_PrintsOwnerOrNotAssigned()
    {
        await CreatePoolAsync();
        var ip = await AllocateAsync("k8s-pod-network.c1", new Dictionary<string, string> { ["pod"] = "web-0", ["namespace"] = "prod" });

        var used = await Ctl.RunAsync($"ipam show --ip={ip}");
        var free = await Ctl.RunAsync("ipam show --ip=10.50.0.250");

        Assert.Equal($"IP {ip} is in use\nHandle ID: k8s-pod-network.c1\nActive Owner Attributes:\n  namespace: prod\n  pod: web-0\n", used.Out);
        Assert.Equal("10.50.0.250 is not assigned\n", free.Out);
    }

    [Fact]
    public async Task IpamRelease_AllocatedThenAgain_ReleasesOnceThenErrors()
    {
        await CreatePoolAsync();
        var ip = await AllocateAsync("h1");

        var first = await Ctl.RunAsync($"ipam release --ip={ip}");
        var second = await Ctl.RunAsync($"ipam release --ip={ip}");

        Assert.Equal($"Successfully released IP address {ip}\n", first.Out);
        Assert.Equal(1, second.ExitCode);
        Assert.Contains("is not assigned", second.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IpamCheck_LeakedAllocation_ReportsProblemsAndWritesReport()
    {
        await CreatePoolAsync();
        var ip = await AllocateAsync("leaky");
        using var dir = new TempDirectory("ipam-check-");

        var result = await Ctl.RunAsync($"ipam check --show-problem-ips -o {dir.File("report.json")}");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"  {ip} leaked; attrs Main:leaky\n", result.Out, StringComparison.Ordinal);
        Assert.Contains("Found 1 IPs that are allocated in IPAM but not actually in use.\n", result.Out, StringComparison.Ordinal);
        Assert.EndsWith("Check complete; found 1 problems.\n", result.Out, StringComparison.Ordinal);
        string report = await File.ReadAllTextAsync(dir.File("report.json"));
        Assert.Contains($"\"ip\": \"{ip}\"", report, StringComparison.Ordinal);
        Assert.Contains("\"inUse\": false", report, StringComparison.Ordinal);
    }
}

[Trait("Tier", "Unit")]
public sealed class EmbeddedIpamCommandTests : IpamCommandTests, IDisposable
{
    private readonly TempDirectory _dir = new("calicoctl-ipam-");

    public EmbeddedIpamCommandTests()
    {
        CtlBackends.CreateEmbeddedStore(_dir.File("calico.db"));
        Ctl = new CtlRunner(new Dictionary<string, string>
        {
            ["DATASTORE_TYPE"] = "embedded",
            ["CALICO_DATASTORE_PATH"] = _dir.File("calico.db"),
        });
    }

    protected override CtlRunner Ctl { get; }

    protected override IKeyValueStore OpenStore() =>
        DatastoreFactory.Open(new DatastoreOptions { Type = DatastoreType.Embedded, EmbeddedCreate = true, EmbeddedPath = _dir.File("calico.db") });

    public void Dispose() => _dir.Dispose();
}

[Trait("Tier", "Root")]
public sealed class EtcdIpamCommandTests : IpamCommandTests, IClassFixture<EtcdFixture>
{
    private readonly string _endpoint;

    public EtcdIpamCommandTests(EtcdFixture etcd)
    {
        ArgumentNullException.ThrowIfNull(etcd);
        _endpoint = etcd.Server.ClientUrl;
        Ctl = new CtlRunner(new Dictionary<string, string>
        {
            ["DATASTORE_TYPE"] = "etcdv3",
            ["ETCD_ENDPOINTS"] = _endpoint,
        });
    }

    protected override CtlRunner Ctl { get; }

    protected override IKeyValueStore OpenStore() =>
        DatastoreFactory.Open(new DatastoreOptions { Type = DatastoreType.Etcdv3, EtcdEndpoints = [_endpoint] });

    public override async Task InitializeAsync()
    {
        await using var store = OpenStore();
        var all = await store.ListAsync("/calico/", CancellationToken.None);
        foreach (var kv in all.Items)
        {
            await store.DeleteAsync(kv.Key, 0, CancellationToken.None);
        }
    }
}
