using Calico.Api;
using Calico.Client;
using Calico.Datastore.Embedded;
using Calico.Datastore.Syncer;
using Calico.Felix.Agent;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;
using Calico.Ipam;
using Calico.Node.Routing;
using Calico.TestKit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Calico.Node.Tests;

/// <summary>
/// Routing (tunnel address allocation, BIRD, VXLAN) runs in its own loop beside Felix's: a routing write the
/// datastore does not answer never delays a policy change, and routing's failures still reach readiness.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class RoutingLoopTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task PolicyChange_RoutingDatastoreWriteBlocked_PolicyIsAppliedAndRoutingCompletesAfterwards()
    {
        using var dir = new TempDirectory("routing-loop");
        await using var store = new EmbeddedKeyValueStore(dir.File("calico.db"));
        var client = new ResourceClient(store, TimeProvider.System);
        await client.EnsureInitializedAsync(CancellationToken.None);
        await CreateAsync(client, Node("host1"));
        await CreateAsync(client, VxlanPool());
        await CreateAsync(client, Wep("web"));

        // Routing's writes (IPAM claim, Node update) go through a store that holds them, as an etcd that stopped
        // answering would; everything else (the syncer, this test's writes) reaches the datastore directly.
        var blocking = new WriteBlockingStore(store);
        blocking.Block();
        var tunnels = new TunnelAddressAllocator(new ResourceClient(blocking, TimeProvider.System), new IpamClient(blocking, TimeProvider.System), NullLogger.Instance);
        var dataplane = new RecordingDataplaneDriver();
        var agent = FelixAgent.Create("host1", dataplane, _ => new RenderConfig(), TimeSpan.FromMinutes(5), null, NullLogger.Instance);
        var routing = new RoutingLoop("host1", new TunnelOnlyRoutingDriver(tunnels), agent.ReportRouting, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1), TimeProvider.System, NullLogger.Instance);
        var prefixes = FelixAgent.WatchedPrefixes.Union(RoutingLoop.WatchedPrefixes, StringComparer.Ordinal).ToList();
        await using var syncer = new WatcherSyncer(store, prefixes, new SyncerFanOut(agent, routing));
        using var stop = new CancellationTokenSource();
        Task[] loops = [agent.RunAsync(stop.Token), routing.RunAsync(stop.Token)];
        syncer.Start();
        try
        {
            await blocking.WriteBlocked.WaitAsync(Patience);

            await CreateAsync(client, AllowAll("allow-web"));
            await UntilAppliedAsync(dataplane, "allow-web");
            Assert.Equal(0, routing.AppliedCount); // still held in its datastore write

            blocking.Release();
            for (int i = 0; i < 3000 && (await client.GetAsync(ResourceKinds.Node, null, "host1", CancellationToken.None) as Api.Node)?.Spec.Ipv4VXLANTunnelAddr is null; i++)
            {
                await Task.Delay(10);
            }

            var node = (Api.Node?)await client.GetAsync(ResourceKinds.Node, null, "host1", CancellationToken.None);
            Assert.StartsWith("10.66.", node!.Spec.Ipv4VXLANTunnelAddr, StringComparison.Ordinal);
        }
        finally
        {
            blocking.Release();
            await stop.CancelAsync();
            await Task.WhenAll(loops).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [Fact]
    public async Task RoutingFailure_ReportedOnReadinessAndMetric_ClearedOnceARetrySucceeds()
    {
        var telemetry = new ReadinessRecorder();
        var clock = new FakeTimeProvider();
        var agent = FelixAgent.Create("host1", new RecordingDataplaneDriver(), _ => new RenderConfig(), TimeSpan.FromMinutes(5), telemetry, NullLogger.Instance, time: clock);
        var driver = new FailingRoutingDriver { FailuresToInject = 2 };
        var routing = new RoutingLoop("host1", driver, agent.ReportRouting, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1), clock, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        Task[] loops = [agent.RunAsync(stop.Token), routing.RunAsync(stop.Token)];
        try
        {
            var fanOut = new SyncerFanOut(agent, routing);
            fanOut.OnStatusUpdated(SyncStatus.InSync);
            await UntilAsync(() => telemetry.Failures == 1 && telemetry.Reason == "routing: no route to BIRD");
            Assert.False(telemetry.Ready);

            // The retries wait for the retry delay on the routing loop's clock.
            await UntilAsync(() => driver.Applied == 1, () => clock.Advance(TimeSpan.FromSeconds(1)));
            await UntilAsync(() => telemetry.Ready);
            Assert.Equal(2, telemetry.Failures);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(loops).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private static async Task UntilAppliedAsync(RecordingDataplaneDriver dataplane, string policy)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            IReadOnlyList<PolicyKey> applied = await dataplane.Applied.Reader.ReadAsync(timeout.Token);
            if (applied.Any(k => k.Name == policy))
            {
                return;
            }
        }
    }

    private static async Task UntilAsync(Func<bool> condition, Action? meanwhile = null)
    {
        for (int i = 0; i < 3000 && !condition(); i++)
        {
            meanwhile?.Invoke();
            await Task.Delay(10);
        }

        Assert.True(condition());
    }

    private static async Task CreateAsync(ResourceClient client, Resource resource)
    {
        OperationResult result = await client.CreateAsync(resource, CancellationToken.None);
        Assert.True(result.Succeeded, result.ToString());
    }

    private static Api.Node Node(string name)
    {
        var node = new Api.Node { Metadata = { Name = name } };
        node.Spec.Bgp = new NodeBGPSpec { Ipv4Address = "198.18.0.1/24" };
        return node;
    }

    private static IPPool VxlanPool()
    {
        var pool = new IPPool { Metadata = { Name = "vxlan" } };
        pool.Spec.Cidr = "10.66.0.0/16";
        pool.Spec.BlockSize = 26;
        pool.Spec.VxlanMode = "Always";
        return pool;
    }

    private static GlobalNetworkPolicy AllowAll(string name)
    {
        var gnp = new GlobalNetworkPolicy { Metadata = { Name = name } };
        gnp.Spec.Selector = "all()";
        gnp.Spec.Ingress = [new Rule { Action = "Allow" }];
        return gnp;
    }

    private static WorkloadEndpoint Wep(string pod)
    {
        var wep = new WorkloadEndpoint { Metadata = { Name = "host1-k8s-" + pod + "-eth0", Namespace = "ns1", Labels = new() { ["pod"] = pod } } };
        wep.Spec.Node = "host1";
        wep.Spec.Orchestrator = "k8s";
        wep.Spec.Pod = pod;
        wep.Spec.Endpoint = "eth0";
        wep.Spec.InterfaceName = "cali" + pod.PadRight(11, '0')[..11];
        wep.Spec.IpNetworks = ["10.65.0.2/32"];
        wep.Spec.Profiles = ["kns.ns1"];
        return wep;
    }

    /// <summary>Fails its first applies as BIRD being away would; counts the ones that succeed.</summary>
    private sealed class FailingRoutingDriver : IRoutingDriver
    {
        private int _applied;

        public int FailuresToInject { get; set; }

        public int Applied => Volatile.Read(ref _applied);

        public Task ApplyAsync(RoutingState state, CancellationToken cancellationToken)
        {
            if (FailuresToInject > 0)
            {
                FailuresToInject--;
                throw new InvalidOperationException("no route to BIRD");
            }

            Interlocked.Increment(ref _applied);
            return Task.CompletedTask;
        }

        public Task<string?> RefreshAsync(RoutingState state, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
    }
}
