using System.Diagnostics;
using Calico.Api;
using Calico.Client;
using Calico.Datastore;
using Calico.TestKit;
using Xunit.Abstractions;

namespace Calico.Cni.Tests;

/// <summary>
/// calico-ipam (in-process, the same code path as the calico plugin's addresses) against a three-member etcd whose
/// members hang or die, and against an endpoint that never answers. One cluster for the class; each test restores it.
/// </summary>
[Trait("Tier", "Cluster")]
public sealed class EtcdFailureTests(EtcdClusterFixture fixture, ITestOutputHelper output) : IClassFixture<EtcdClusterFixture>, IAsyncLifetime
{
    private static readonly TimeSpan OldFailure = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new("cni-etcd-failure");

    public async Task InitializeAsync()
    {
        await using IKeyValueStore store = DatastoreFactory.Open(new DatastoreOptions { EtcdEndpoints = [.. fixture.Cluster.ClientUrls] });
        var client = new ResourceClient(store, TimeProvider.System);
        await client.EnsureInitializedAsync(CancellationToken.None);
        await client.CreateAsync(
            ResourceCodec.Decode("apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: main\nspec:\n  cidr: 10.55.0.0/22\n  blockSize: 26\n")[0],
            CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await fixture.Cluster.RestoreAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task IpamAddDel_OneMemberFrozen_Succeed()
    {
        fixture.Cluster.Members[0].Freeze();
        for (int i = 0; i < 3; i++)
        {
            string id = $"frozen{i}";
            var watch = Stopwatch.StartNew();
            var add = await RunAsync("ADD", id, Conf(fixture.Cluster.ClientUrls));
            TimeSpan added = watch.Elapsed;
            var del = await RunAsync("DEL", id, Conf(fixture.Cluster.ClientUrls));
            output.WriteLine($"{id}: ADD {added.TotalMilliseconds:0} ms, DEL {(watch.Elapsed - added).TotalMilliseconds:0} ms");

            Assert.True(add.ExitCode == 0, add.Stdout + add.Stderr);
            Assert.True(del.ExitCode == 0, del.Stdout + del.Stderr);
            Assert.True(watch.Elapsed < OldFailure, $"took {watch.Elapsed}");
        }
    }

    [Fact]
    public async Task IpamAdd_LeaderKilledDuring100Adds_NoFailures()
    {
        EtcdMember leader = await fixture.Cluster.LeaderAsync();
        var watch = Stopwatch.StartNew();
        var failures = new List<string>();
        for (int i = 0; i < 100; i++)
        {
            if (i == 30)
            {
                leader.Kill();
                output.WriteLine($"killed leader {leader.Name} before ADD {i} at {watch.ElapsedMilliseconds} ms");
            }

            var add = await RunAsync("ADD", $"lk{i}", Conf(fixture.Cluster.ClientUrls));
            if (add.ExitCode != 0)
            {
                failures.Add($"ADD {i}: {add.Stdout}");
            }
        }

        output.WriteLine($"100 ADDs across a leader kill took {watch.ElapsedMilliseconds} ms");
        for (int i = 0; i < 100; i++)
        {
            await RunAsync("DEL", $"lk{i}", Conf(fixture.Cluster.ClientUrls));
        }

        Assert.Empty(failures);
    }

    [Fact]
    public async Task IpamAdd_SilentEndpoint_CniErrorNamesEtcdEndpointAndDeadline()
    {
        using var silent = new SilentTcpListener();
        var watch = Stopwatch.StartNew();

        var add = await RunAsync("ADD", "silent", Conf([silent.Url]));

        output.WriteLine($"{watch.ElapsedMilliseconds} ms: {add.Stdout}");
        Assert.Equal(1, add.ExitCode);
        Assert.Equal(11, add.ErrorCode);
        Assert.Contains($"etcd at {silent.Url} did not answer", add.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("within 10s", add.ErrorMessage, StringComparison.Ordinal);
    }

    private string Conf(IReadOnlyList<string> endpoints) =>
        $$$"""{"cniVersion":"1.0.0","name":"net1","type":"calico","datastore_type":"etcdv3","etcd_endpoints":"{{{string.Join(",", endpoints)}}}","nodename":"node1","log_file_path":"{{{_dir.File("cni.log")}}}","ipam_lock_file":"{{{_dir.File("ipam.lock")}}}","ipam":{"type":"calico-ipam"}}""";

    private static Task<InProcessPlugin.Outcome> RunAsync(string command, string containerId, string conf) =>
        InProcessPlugin.RunAsync(InProcessPlugin.Env(command, containerId: containerId), conf, "calico-ipam");
}
