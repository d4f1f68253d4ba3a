using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Calico.Api;
using Calico.Client;
using Calico.Datastore;
using Calico.Ipam;
using Calico.Lab.Cluster;
using Calico.TestKit;
using Xunit.Abstractions;

namespace Calico.Lab.Tests;

/// <summary>
/// Every client against one three-member etcd cluster (shared by the class; each test restores it) losing a member,
/// the leader, then its quorum: the real CNI plugin (the built binary, exec'd in a host namespace the test makes, a
/// new pod namespace per ADD), policy creates (a fresh client each, as separate calicoctl processes have) and the
/// calicoctl binary keep
/// working through a member's death with no error, no duplicate address and no lost write; with two members gone
/// they fail within 10 s saying quorum is lost and naming every member; once the members are back the same calls,
/// and a client that stayed open through it all, work again.
/// </summary>
[Trait("Tier", "Cluster")]
public sealed class EtcdMemberLossTests(EtcdClusterFixture fixture, ITestOutputHelper output) : IClassFixture<EtcdClusterFixture>, IAsyncLifetime
{
    private const int Operations = 100;
    private const string Network = "net1";
    private static readonly TimeSpan QuorumFailureLimit = TimeSpan.FromSeconds(10);

    private readonly TempDirectory _dir = new("etcd-member-loss");
    private readonly string _run = Guid.NewGuid().ToString("N")[..6];
    private readonly List<string> _namespaces = [];
    private readonly List<LoopbackIntoNetnsRelay> _relays = [];
    private string _hostNs = "";
    private string _plugin = "";

    private EtcdCluster Cluster => fixture.Cluster;

    private string Endpoints => string.Join(",", Cluster.ClientUrls);

    public async Task InitializeAsync()
    {
        IpTool.RequireRootTier();
        string bin = Binaries.FindDirectory(Binaries.Cni);
        await Binaries.EnsureIpamLinkAsync(bin, CancellationToken.None);
        _plugin = Path.Combine(bin, Binaries.Cni);
        _hostNs = await AddNamespaceAsync("emh" + _run);
        await ShAsync(
            $"ip -n {_hostNs} link set lo up && ip -n {_hostNs} link add hdef0 type veth peer name hdef1 && " +
            $"ip -n {_hostNs} link set hdef0 up && ip -n {_hostNs} link set hdef1 up && ip -n {_hostNs} route add default dev hdef0 && " +
            $"nsenter --net=/var/run/netns/{_hostNs} sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'");

        // The plugin runs in the host namespace, whose loopback is not the machine's: each member's address is
        // relayed there (refusing while the member is down, as the member itself would).
        foreach (string url in Cluster.ClientUrls)
        {
            _relays.Add(LoopbackIntoNetnsRelay.Start("/var/run/netns/" + _hostNs, new Uri(url)));
        }
        await using IKeyValueStore store = OpenStore();
        var client = new ResourceClient(store, TimeProvider.System);
        await client.EnsureInitializedAsync(CancellationToken.None);
        var pool = ResourceCodec.Decode("apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: member-loss\nspec:\n  cidr: 10.71.0.0/20\n  blockSize: 26\n")[0];
        var created = await client.CreateAsync(pool, CancellationToken.None);
        Assert.True(created.Succeeded || created.Status == OperationStatus.AlreadyExists, created.Message);
    }

    public async Task DisposeAsync()
    {
        await Cluster.RestoreAsync();
        foreach (LoopbackIntoNetnsRelay relay in _relays)
        {
            await relay.DisposeAsync();
        }

        foreach (string ns in _namespaces)
        {
            await Command.RunAsync("ip", ["netns", "del", ns]);
        }

        _dir.Dispose();
    }

    [Fact]
    public async Task FollowerKilledDuring100AddsAnd100PolicyCreates_NoFailureNoDuplicateNoLostWrite()
    {
        EtcdMember leader = await Cluster.LeaderAsync();
        EtcdMember follower = Cluster.Members.First(m => m != leader);
        await RunThroughKillAsync(follower, "follower");
    }

    [Fact]
    public async Task LeaderKilledDuring100AddsAnd100PolicyCreates_NoFailureNoDuplicateNoLostWrite()
    {
        EtcdMember leader = await Cluster.LeaderAsync();
        await RunThroughKillAsync(leader, "leader");
    }

    [Fact]
    public async Task QuorumLost_CallsFailWithin10sNamingIt_ThenRecoverWithoutRestart()
    {
        // A client that stays open throughout, as calico-node's does.
        await using IKeyValueStore longLived = OpenStore();
        var resident = new ResourceClient(longLived, TimeProvider.System);
        Assert.True((await CtlAsync("apply -f -", Policy("q-before"))).ExitCode == 0);

        Cluster.Members[0].Kill();
        Cluster.Members[1].Kill();
        output.WriteLine($"killed {Cluster.Members[0].Name} and {Cluster.Members[1].Name}");

        (CtlOutcome get, TimeSpan getTook) = await TimedAsync(() => CtlAsync("get globalnetworkpolicy"));
        (CtlOutcome apply, TimeSpan applyTook) = await TimedAsync(() => CtlAsync("apply -f -", Policy("q-during")));
        (Command.Result add, TimeSpan addTook) = await TimedAsync(() => AddAsync(_run + "-ql"));
        (Exception? resident1, TimeSpan residentTook) = await TimedAsync(async () =>
            await Record.ExceptionAsync(() => resident.GetAsync(ResourceKinds.GlobalNetworkPolicy, null, "q-before", CancellationToken.None)));
        output.WriteLine($"get {getTook.TotalMilliseconds:0} ms: {get.Err}");
        output.WriteLine($"apply {applyTook.TotalMilliseconds:0} ms: {apply.Err}");
        output.WriteLine($"CNI ADD {addTook.TotalMilliseconds:0} ms: {add.Output}");
        output.WriteLine($"open client {residentTook.TotalMilliseconds:0} ms: {resident1?.Message}");

        Assert.Equal(1, get.ExitCode);
        Assert.Equal(1, apply.ExitCode);
        Assert.NotEqual(0, add.ExitCode);
        Assert.Equal(11, JsonDocument.Parse(add.Output).RootElement.GetProperty("code").GetInt32());
        Assert.IsType<DatastoreUnavailableException>(resident1);
        foreach (string message in (string[])[get.Err, apply.Err, JsonDocument.Parse(add.Output).RootElement.GetProperty("msg").GetString()!, resident1.Message])
        {
            Assert.Contains("quorum lost", message, StringComparison.Ordinal);
            foreach (string endpoint in Cluster.ClientUrls)
            {
                Assert.Contains(endpoint, message, StringComparison.Ordinal);
            }
        }

        foreach (TimeSpan took in (TimeSpan[])[getTook, applyTook, addTook, residentTook])
        {
            Assert.True(took < QuorumFailureLimit, $"a call took {took} with quorum lost");
        }

        // Quorum back: the same calls succeed; nothing is restarted but etcd.
        await Cluster.RestoreAsync();
        output.WriteLine("members restarted");
        Assert.NotNull(await resident.GetAsync(ResourceKinds.GlobalNetworkPolicy, null, "q-before", CancellationToken.None));
        CtlOutcome applyAgain = await CtlAsync("apply -f -", Policy("q-after"));
        Assert.True(applyAgain.ExitCode == 0, applyAgain.Err);
        CtlOutcome getAgain = await CtlAsync("get globalnetworkpolicy");
        Assert.True(getAgain.ExitCode == 0, getAgain.Err);
        Assert.Contains("q-after", getAgain.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("q-during", getAgain.Out, StringComparison.Ordinal);
        Command.Result addAgain = await AddAsync(_run + "-qb");
        Assert.True(addAgain.ExitCode == 0, addAgain.Output + addAgain.Error);
    }

    /// <summary>
    /// 100 CNI ADDs and, at the same time, 100 calicoctl creates of distinct policies; <paramref name="victim"/> is killed
    /// when the 30th ADD starts.
    /// </summary>
    private async Task RunThroughKillAsync(EtcdMember victim, string role)
    {
        var watch = Stopwatch.StartNew();
        var killed = new TaskCompletionSource();
        var addFailures = new List<string>();
        var addresses = new Dictionary<string, IPAddress>(StringComparer.Ordinal);
        Task adds = Task.Run(async () =>
        {
            for (int i = 0; i < Operations; i++)
            {
                if (i == 30)
                {
                    victim.Kill();
                    output.WriteLine($"killed {role} {victim.Name} before ADD {i} at {watch.ElapsedMilliseconds} ms");
                    killed.SetResult();
                }

                string id = ContainerId(i);
                Command.Result add = await AddAsync(id);
                if (add.ExitCode != 0)
                {
                    addFailures.Add($"ADD {i}: exit {add.ExitCode}: {add.Output}{add.Error}");
                    continue;
                }

                string address = JsonDocument.Parse(add.Output).RootElement.GetProperty("ips")[0].GetProperty("address").GetString()!;
                addresses[id] = IPNetwork.Parse(address).BaseAddress;
            }
        });
        var writeFailures = new List<string>();
        Task writes = Task.Run(async () =>
        {
            for (int i = 0; i < Operations; i++)
            {
                string? failure = await CreatePolicyAsync(PolicyName(i));
                if (failure is not null)
                {
                    writeFailures.Add($"create {i}: {failure}");
                }

                // Spread the writes over the ADDs' duration, so the kill lands in the middle of both.
                if (i == 30 && !killed.Task.IsCompleted)
                {
                    await killed.Task;
                }
            }
        });
        await Task.WhenAll(adds, writes);
        output.WriteLine($"{Operations} ADDs and {Operations} policy creates across the {role}'s death took {watch.ElapsedMilliseconds} ms");

        Assert.True(addFailures.Count == 0, string.Join("\n", addFailures));
        Assert.True(writeFailures.Count == 0, string.Join("\n", writeFailures));

        // No duplicate: every ADD got its own address, and IPAM holds each exactly once, under that ADD's handle.
        Assert.Equal(Operations, addresses.Values.Distinct().Count());
        await using IKeyValueStore store = OpenStore();
        var ipam = new IpamClient(store, TimeProvider.System);
        var allocations = (await ipam.ListBlockInfosAsync(CancellationToken.None))
            .SelectMany(b => b.Allocations)
            .Where(a => a.HandleId?.StartsWith($"{Network}.{_run}-", StringComparison.Ordinal) == true)
            .ToList();
        Assert.Equal(Operations, allocations.Count);
        foreach ((string id, IPAddress address) in addresses)
        {
            Assert.Equal([address], await ipam.IpsByHandleAsync($"{Network}.{id}", CancellationToken.None));
            Assert.Single(allocations, a => a.Address.Equals(address));
        }

        // No lost write: every policy is there, and every ADD's endpoint.
        var client = new ResourceClient(store, TimeProvider.System);
        var policies = (await client.ListAsync(ResourceKinds.GlobalNetworkPolicy, null, CancellationToken.None)).Items.Select(r => r.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        Assert.All(Enumerable.Range(0, Operations), i => Assert.Contains(PolicyName(i), policies));
        var endpoints = (await client.ListAsync(ResourceKinds.WorkloadEndpoint, null, CancellationToken.None)).Items;
        Assert.Equal(Operations, endpoints.Count(e => e.Metadata.Name?.Contains(_run, StringComparison.Ordinal) == true));
    }

    private string ContainerId(int i) => $"{_run}-{i.ToString("D3", CultureInfo.InvariantCulture)}";

    private string PolicyName(int i) => $"ml-{_run}-{i.ToString(CultureInfo.InvariantCulture)}";

    private static string Policy(string name) => $"""
        apiVersion: projectcalico.org/v3
        kind: GlobalNetworkPolicy
        metadata:
          name: {name}
        spec:
          selector: app == '{name}'
          ingress:
          - action: Allow
        """;

    /// <summary>The calico plugin binary, exec'd inside the host namespace as a runtime would, for a new pod namespace.</summary>
    private async Task<Command.Result> AddAsync(string containerId)
    {
        string podNs = await AddNamespaceAsync("emp" + containerId);
        string conf = $$$"""{"cniVersion":"1.0.0","name":"{{{Network}}}","type":"calico","datastore_type":"etcdv3","etcd_endpoints":"{{{Endpoints}}}","nodename":"node1","log_file_path":"{{{_dir.File("cni.log")}}}","ipam_lock_file":"{{{_dir.File("ipam.lock")}}}","ipam":{"type":"calico-ipam","ipv4_pools":["member-loss"]}}""";
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["CNI_COMMAND"] = "ADD",
            ["CNI_CONTAINERID"] = containerId,
            ["CNI_NETNS"] = "/var/run/netns/" + podNs,
            ["CNI_IFNAME"] = "eth0",
            ["CNI_PATH"] = Path.GetDirectoryName(_plugin)!,
        };
        return await Command.RunAsync("nsenter", [$"--net=/var/run/netns/{_hostNs}", _plugin], env, conf);
    }

    private sealed record CtlOutcome(int ExitCode, string Out, string Err);

    /// <summary>The calicoctl binary built beside the tests.</summary>
    private async Task<CtlOutcome> CtlAsync(string commandLine, string? stdin = null)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["DATASTORE_TYPE"] = "etcdv3", ["ETCD_ENDPOINTS"] = Endpoints };
        Command.Result result = await Command.RunAsync(LabRunner.Calicoctl(), commandLine.Split(' '), environment, stdin ?? "");
        return new CtlOutcome(result.ExitCode, result.Output, result.Error);
    }

    /// <summary>
    /// A create (not idempotent: a second one is AlreadyExists) through its own client, as a separate calicoctl
    /// process has; null when it succeeded, else what the caller saw.
    /// </summary>
    private async Task<string?> CreatePolicyAsync(string name)
    {
        try
        {
            await using IKeyValueStore store = OpenStore();
            OperationResult created = await new ResourceClient(store, TimeProvider.System).CreateAsync(ResourceCodec.Decode(Policy(name))[0], CancellationToken.None);
            return created.Succeeded ? null : created.Status + ": " + created.Message;
        }
        catch (DatastoreUnavailableException e)
        {
            return e.Message;
        }
    }

    private IKeyValueStore OpenStore() => DatastoreFactory.Open(new DatastoreOptions { EtcdEndpoints = [.. Cluster.ClientUrls] });

    private async Task<string> AddNamespaceAsync(string name)
    {
        await ShAsync($"ip netns add {name}");
        lock (_namespaces)
        {
            _namespaces.Add(name);
        }

        return name;
    }

    private static async Task ShAsync(string script)
    {
        Command.Result result = await Command.RunAsync("sh", ["-c", script]);
        Assert.True(result.ExitCode == 0, $"{script}: {result.Error}");
    }

    private static async Task<(T Result, TimeSpan Took)> TimedAsync<T>(Func<Task<T>> call)
    {
        var watch = Stopwatch.StartNew();
        T result = await call();
        return (result, watch.Elapsed);
    }
}
