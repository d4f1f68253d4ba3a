using System.Diagnostics;
using Calico.Datastore.Etcd;
using Calico.TestKit;
using Xunit.Abstractions;
using static Calico.Datastore.Tests.StoreTestHelpers;

namespace Calico.Datastore.Tests.Etcd;

/// <summary>
/// The etcd client against a real three-member cluster whose members hang or die (one cluster for the class; every
/// test restores it). Durations are logged, never asserted beyond "before the old 30 s failure".
/// </summary>
[Trait("Tier", "Cluster")]
public sealed class EtcdFailureTests(EtcdClusterFixture fixture, ITestOutputHelper output) : IClassFixture<EtcdClusterFixture>, IAsyncLifetime
{
    private static readonly TimeSpan OldFailure = TimeSpan.FromSeconds(30);
    private readonly string _root = "/calico/failover/" + Guid.NewGuid().ToString("N")[..8] + "/";

    private EtcdCluster Cluster => fixture.Cluster;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => Cluster.RestoreAsync();

    [Fact]
    public async Task Calls_OneMemberFrozen_SucceedPromptly()
    {
        await using (EtcdKeyValueStore seed = Open())
        {
            await seed.CreateAsync(_root + "seed", Bytes("0"), Timeout());
        }

        EtcdMember frozen = Cluster.Members[1];
        frozen.Freeze();

        // Fresh stores, as each calicoctl or CNI process opens one: round-robin sends some of their first calls to the
        // frozen member (the fixed random start makes the very first go there).
        for (int i = 0; i < 4; i++)
        {
            var watch = Stopwatch.StartNew();
            await using EtcdKeyValueStore store = Open(new FirstEndpointRandom());
            Assert.NotNull(await store.GetAsync(_root + "seed", Timeout()));
            Assert.Equal(WriteStatus.Ok, (await store.CreateAsync(_root + "k" + i, Bytes("v"), Timeout())).Status);
            ListResult list = await store.ListAsync(_root, Timeout());
            Assert.Equal(2, list.Items.Count);
            KeyValue current = (await store.GetAsync(_root + "k" + i, Timeout()))!;
            Assert.Equal(WriteStatus.Ok, (await store.UpdateAsync(current.Key, Bytes("w"), current.Revision, Timeout())).Status);
            Assert.Equal(WriteStatus.Ok, (await store.DeleteAsync(current.Key, 0, Timeout())).Status);
            output.WriteLine($"store {i}: get+create+list+get+update+delete with {frozen.Name} frozen took {watch.ElapsedMilliseconds} ms");
            Assert.True(watch.Elapsed < OldFailure, $"took {watch.Elapsed}");
        }
    }

    [Fact]
    public async Task Calls_LeaderFrozen_SucceedAfterReElection()
    {
        EtcdMember leader = await Cluster.LeaderAsync();
        leader.Freeze();
        output.WriteLine($"froze leader {leader.Name}");
        var watch = Stopwatch.StartNew();
        await using EtcdKeyValueStore store = Open();

        Assert.Equal(WriteStatus.Ok, (await store.CreateAsync(_root + "after-leader", Bytes("v"), Timeout())).Status);
        Assert.NotNull(await store.GetAsync(_root + "after-leader", Timeout()));
        Assert.Single((await store.ListAsync(_root, Timeout())).Items);

        output.WriteLine($"create+get+list with the leader frozen took {watch.ElapsedMilliseconds} ms");
        Assert.True(watch.Elapsed < OldFailure, $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Watch_MemberFrozenUnderIt_MovesToAnotherMember()
    {
        await using EtcdKeyValueStore writer = Open();
        await using EtcdKeyValueStore watcher = Open(new FirstEndpointRandom());
        WriteResult start = await writer.CreateAsync(_root + "w0", Bytes("0"), Timeout());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var seen = new System.Collections.Concurrent.BlockingCollection<WatchEvent>();
        Task watching = Task.Run(async () =>
        {
            await foreach (WatchEvent e in watcher.WatchAsync(_root, start.Revision, cts.Token))
            {
                seen.Add(e);
            }
        });

        // The watcher's first call (the watch) goes to member 1 (FirstEndpointRandom).
        WriteResult first = await writer.UpdateAsync(_root + "w0", Bytes("1"), 0, Timeout());
        Assert.Equal(first.Revision, Take(seen, cts.Token).Revision);
        Cluster.Members[1].Freeze();
        var watch = Stopwatch.StartNew();
        WriteResult second = await writer.UpdateAsync(_root + "w0", Bytes("2"), 0, Timeout());

        // The writer's first attempt may reach the member just before it stops: that member can
        // still forward the proposal to the leader, the client times out and retries elsewhere,
        // and an unconditional update is then applied twice (two events, both "2"). Either is
        // correct; what matters is that the watch, moved to another member, delivers them.
        WatchEvent moved = Take(seen, cts.Token);
        while (moved.Revision < second.Revision && Text(moved.Value) == "2")
        {
            moved = Take(seen, cts.Token);
        }

        output.WriteLine($"event after freezing the watched member arrived after {watch.ElapsedMilliseconds} ms");
        Assert.Equal(second.Revision, moved.Revision);
        Assert.Equal("2", Text(moved.Value));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watching);
    }

    [Fact]
    public async Task Reads_LeaderKilledDuringLoop_NoFailures()
    {
        await using EtcdKeyValueStore store = Open();
        await store.CreateAsync(_root + "counter", Bytes("0"), Timeout());
        EtcdMember leader = await Cluster.LeaderAsync();
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < 100; i++)
        {
            if (i == 20)
            {
                leader.Kill();
                output.WriteLine($"killed leader {leader.Name} at iteration {i}");
            }

            await IncrementAsync(store, _root + "counter", 1, Timeout());
        }

        output.WriteLine($"100 read-modify-writes across a leader kill took {watch.ElapsedMilliseconds} ms");
        Assert.Equal("100", Text((await store.GetAsync(_root + "counter", Timeout()))!.Value));
    }

    [Fact]
    public async Task Get_SilentListenerOnlyEndpoint_ErrorNamesEtcdEndpointAndDeadline()
    {
        using var silent = new SilentTcpListener();
        await using IKeyValueStore store = DatastoreFactory.Open(new DatastoreOptions
        {
            EtcdEndpoints = [silent.Url],
            EtcdRequestTimeout = TimeSpan.FromSeconds(3),
            EtcdAttemptTimeout = TimeSpan.FromSeconds(1),
        });
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<DatastoreUnavailableException>(() => store.ListAsync("/calico/resources/v3/projectcalico.org/nodes/", Timeout()));

        output.WriteLine($"{watch.ElapsedMilliseconds} ms: {error.Message}");
        Assert.StartsWith($"etcd at {silent.Url} did not answer list /calico/resources/v3/projectcalico.org/nodes/ within 3s", error.Message, StringComparison.Ordinal);
        Assert.True(silent.AcceptedConnections > 0);
    }

    private EtcdKeyValueStore Open(Random? random = null)
    {
        var settings = EtcdSettings.Validate(new DatastoreOptions { EtcdEndpoints = [.. Cluster.ClientUrls] });
        return new EtcdKeyValueStore(settings, new XunitLogger(output), TimeProvider.System, random ?? Random.Shared);
    }

    private static WatchEvent Take(System.Collections.Concurrent.BlockingCollection<WatchEvent> events, CancellationToken cancellationToken) =>
        events.Take(cancellationToken);

    /// <summary>Starts the store's round-robin so that its first call goes to member 1.</summary>
    private sealed class FirstEndpointRandom : Random
    {
        public override int Next(int maxValue) => 0;
    }
}
