using Calico.Api;
using Calico.Client;
using Calico.Datastore.Syncer;
using Calico.Felix.Agent;
using Calico.Felix.Rules;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Calico.Felix.Tests.Agent;

[Trait("Tier", "Unit")]
public sealed class FelixAgentTests : AgentTestBase
{
    [Fact]
    public async Task Nothing_is_programmed_before_the_datastore_is_in_sync()
    {
        Agent.OnUpdates([Put(Wep("host1", "web", "10.65.0.2/32"))]);
        await Task.Delay(100);
        Assert.False(Driver.Applied.Reader.TryRead(out _));
        Assert.False(Telemetry.Readiness.Ready);
        Assert.Contains("sync", Telemetry.Readiness.Reason, StringComparison.Ordinal);

        Agent.OnStatusUpdated(SyncStatus.InSync);
        var applied = await NextApplyAsync();
        Assert.Single(applied.State.Endpoints);
        await ReadyAsync();
    }

    [Fact]
    public async Task Only_local_endpoints_reach_the_dataplane()
    {
        Agent.OnUpdates([Put(Wep("host1", "a", "10.65.0.2/32")), Put(Wep("host2", "b", "10.65.0.66/32"))]);
        Agent.OnStatusUpdated(SyncStatus.InSync);
        var applied = await NextApplyAsync();
        var endpoint = Assert.Single(applied.State.Endpoints).Value;
        Assert.Equal(["10.65.0.2/32"], endpoint.Ipv4Nets);
    }

    [Fact]
    public async Task A_failed_apply_is_retried_and_reported_until_it_succeeds()
    {
        Driver.FailuresToInject = 2;
        Agent.OnUpdates([Put(Wep("host1", "web", "10.65.0.2/32"))]);
        Agent.OnStatusUpdated(SyncStatus.InSync);
        // Each retry waits for the retry delay (20 ms) on the agent's clock.
        await ReadAdvancingAsync(Driver.Applied.Reader, Time, TimeSpan.FromMilliseconds(20));
        Assert.Equal(3, Driver.Attempts);
        Assert.Equal(2, Telemetry.Failures);
        await ReadyAsync();
    }

    [Fact]
    public async Task Nat_outgoing_pools_are_passed_to_the_dataplane()
    {
        Agent.OnUpdates([
            Put(Pool("masq", "10.65.0.0/16", nat: true)),
            Put(Pool("plain", "10.66.0.0/16", nat: false)),
        ]);
        Agent.OnStatusUpdated(SyncStatus.InSync);
        var applied = await NextApplyAsync();
        Assert.Equal(["10.65.0.0/16", "10.66.0.0/16"], applied.AllPoolCidrs);
        Assert.Equal(["10.65.0.0/16"], applied.MasqueradePoolCidrs);

        Agent.OnUpdates([Delete(ResourceKinds.IPPool, null, "masq")]);
        applied = await NextApplyAsync();
        Assert.Empty(applied.MasqueradePoolCidrs);
    }

    [Fact]
    public async Task A_felix_configuration_change_re_renders_with_the_new_config()
    {
        Agent.OnStatusUpdated(SyncStatus.InSync);
        var applied = await NextApplyAsync();
        Assert.Equal(EndpointToHostAction.Drop, applied.Render.DefaultEndpointToHostAction);

        var config = new FelixConfiguration { Metadata = { Name = "default" } };
        config.Spec.DefaultEndpointToHostAction = "Accept";
        Agent.OnUpdates([Put(config)]);
        applied = await NextApplyAsync();
        Assert.Equal(EndpointToHostAction.Accept, applied.Render.DefaultEndpointToHostAction);
    }

    [Fact]
    public async Task A_refused_setting_written_straight_to_the_datastore_is_reported_and_the_rest_stays_enforced()
    {
        var allowWeb = Gnp("allow-web", preDnat: false);
        var wireguard = new FelixConfiguration { Metadata = { Name = "node.host1" } };
        wireguard.Spec.WireguardEnabled = true;
        wireguard.Spec.WireguardEnabledV6 = true;
        var pool = Pool("ns-pool", "10.70.0.0/16", nat: false);
        pool.Spec.NamespaceSelector = "team == 'a'";
        Agent.OnUpdates([Put(Wep("host1", "web", "10.65.0.2/32")), Put(allowWeb), Put(wireguard), Put(pool)]);
        Agent.OnStatusUpdated(SyncStatus.InSync);
        var applied = await NextApplyAsync();

        // Everything else is still programmed: the workload, and the policy that can be enforced.
        Assert.Single(applied.State.Endpoints);
        Assert.Contains(applied.State.Policies.Keys, k => k.Name == "allow-web");
        // The report and readiness are set one after the other on the agent's loop: wait for both.
        await WaitForAsync(() => Telemetry.Unsupported.Count == 3 && !Telemetry.Readiness.Reason.StartsWith("waiting", StringComparison.Ordinal));
        Assert.Equal(["spec.namespaceSelector", "spec.wireguardEnabled", "spec.wireguardEnabledV6"], Telemetry.Unsupported.Select(f => f.Field).Order(StringComparer.Ordinal));
        Assert.False(Telemetry.Readiness.Ready);
        Assert.StartsWith("not enforced: FelixConfiguration \"node.host1\" sets wireguardEnabled; FelixConfiguration \"node.host1\" sets wireguardEnabledV6", Telemetry.Readiness.Reason, StringComparison.Ordinal);
        Assert.Contains("degraded, not enforced: IPPool \"ns-pool\" sets namespaceSelector", Telemetry.Readiness.Reason, StringComparison.Ordinal);

        // Removing the setting clears the report; the remaining degraded one leaves the node ready.
        Agent.OnUpdates([Delete(ResourceKinds.FelixConfiguration, null, "node.host1")]);
        await WaitForAsync(() => Telemetry.Readiness.Ready);
        Assert.Equal("degraded, not enforced: IPPool \"ns-pool\" sets namespaceSelector", Telemetry.Readiness.Reason);
    }

    private static GlobalNetworkPolicy Gnp(string name, bool preDnat)
    {
        var gnp = new GlobalNetworkPolicy { Metadata = { Name = name } };
        gnp.Spec.Selector = "all()";
        gnp.Spec.Ingress = [new Rule { Action = "Allow" }];
        if (preDnat)
        {
            gnp.Spec.PreDNAT = true;
            gnp.Spec.ApplyOnForward = true;
        }

        return gnp;
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (int i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }

    [Fact]
    public async Task A_value_that_cannot_be_decoded_keeps_its_last_good_version()
    {
        Agent.OnUpdates([Put(Wep("host1", "web", "10.65.0.2/32"))]);
        Agent.OnStatusUpdated(SyncStatus.InSync);
        await NextApplyAsync();
        string key = ResourceIdentity.Key(ResourceKinds.WorkloadEndpoint, "ns1", WepName("web"));
        // The second endpoint forces an apply, so the state after the corrupt value is observed.
        Agent.OnUpdates([new SyncUpdate(SyncUpdateType.Updated, key, "{not json"u8.ToArray(), 99), Put(Wep("host1", "db", "10.65.0.3/32"))]);
        var applied = await NextApplyAsync();
        Assert.Equal(2, applied.State.Endpoints.Count);
        var corrupt = Assert.Single(Telemetry.Corrupt);
        Assert.Equal((key, CorruptHandling.LastGood), (corrupt.Key, corrupt.Handling));
    }

    [Fact]
    public async Task Changes_are_applied_while_the_kernel_is_read_back_and_the_reading_is_checked_afterwards()
    {
        var driver = new FakeDriver();
        var readStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = new TaskCompletionSource<KernelReading>(TaskCreationOptions.RunContinuationsAsynchronously);
        driver.ReadKernel = () =>
        {
            readStarted.TrySetResult();
            return reading.Task;
        };

        await using var agent = RunningAgent.Start(driver, refresh: TimeSpan.FromMilliseconds(50));
        agent.Agent.OnUpdates([Put(Wep("host1", "a", "10.65.0.2/32"))]);
        agent.Agent.OnStatusUpdated(SyncStatus.InSync);
        await ReadAsync(driver.Applied.Reader);
        for (int i = 0; i < 2000 && !readStarted.Task.IsCompleted; i++)
        {
            agent.Clock.Advance(TimeSpan.FromMilliseconds(50)); // the refresh timer
            await Task.WhenAny(readStarted.Task, Task.Delay(5));
        }

        Assert.True(readStarted.Task.IsCompleted);

        agent.Agent.OnUpdates([Put(Wep("host1", "b", "10.65.0.3/32"))]);
        DesiredDataplane applied = await ReadAsync(driver.Applied.Reader);
        Assert.Equal(2, applied.State.Endpoints.Count);
        Assert.False(driver.DriftChecks.Reader.TryRead(out _)); // the reading is still in flight

        reading.SetResult(new KernelReading(7, "table"));
        KernelReading? checkedReading = await ReadAsync(driver.DriftChecks.Reader);
        Assert.Equal(7, checkedReading!.Generation);
    }

    [Fact]
    public async Task After_three_stale_readings_the_kernel_is_read_on_the_loop()
    {
        var driver = new FakeDriver();
        for (int i = 0; i < 3; i++)
        {
            driver.DriftResults.Enqueue(DriftResult.StaleReading);
        }

        await using var agent = RunningAgent.Start(driver, refresh: TimeSpan.FromMilliseconds(50));
        agent.Agent.OnUpdates([Put(Wep("host1", "a", "10.65.0.2/32"))]);
        agent.Agent.OnStatusUpdated(SyncStatus.InSync);
        // The first check after the refresh interval (50 ms), each next one after a stale reading's retry (1 s).
        for (int i = 0; i < 3; i++)
        {
            Assert.NotNull(await ReadAdvancingAsync(driver.DriftChecks.Reader, agent.Clock, TimeSpan.FromMilliseconds(50)));
        }

        Assert.Null(await ReadAdvancingAsync(driver.DriftChecks.Reader, agent.Clock, TimeSpan.FromMilliseconds(50)));
    }

    private static async Task<T> ReadAsync<T>(System.Threading.Channels.ChannelReader<T> reader)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await reader.ReadAsync(timeout.Token);
    }

    /// <summary>An agent of its own (the class's one has a 5-minute refresh), stopped on dispose.</summary>
    private sealed class RunningAgent : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private Task _running = Task.CompletedTask;

        private RunningAgent(FelixAgent agent, FakeTimeProvider clock)
        {
            Agent = agent;
            Clock = clock;
        }

        public FelixAgent Agent { get; }

        public FakeTimeProvider Clock { get; }

        public static RunningAgent Start(FakeDriver driver, TimeSpan refresh)
        {
            var clock = new FakeTimeProvider();
            var running = new RunningAgent(FelixAgent.Create("host1", driver, RenderFor, refresh, null, NullLogger.Instance, TimeSpan.FromMilliseconds(20), clock), clock);
            running._running = Task.Run(() => running.Agent.RunAsync(running._stop.Token));
            return running;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _running;
            }
            catch (OperationCanceledException)
            {
            }

            _stop.Dispose();
        }
    }

    private protected override RenderConfig RenderConfigFor(AgentInputs inputs) => RenderFor(inputs);

    private static RenderConfig RenderFor(AgentInputs inputs) => new()
    {
        DefaultEndpointToHostAction = inputs.GlobalConfig?.Spec.DefaultEndpointToHostAction == "Accept" ? EndpointToHostAction.Accept : EndpointToHostAction.Drop,
    };

    /// <summary>The fake records an apply before the agent marks itself ready: wait for the loop to get there.</summary>
    private async Task ReadyAsync()
    {
        for (int i = 0; i < 200 && !Telemetry.Readiness.Ready; i++)
        {
            await Task.Delay(10);
        }

        Assert.True(Telemetry.Readiness.Ready, Telemetry.Readiness.Reason);
    }

    private static string WepName(string pod) => "host1-k8s-" + pod + "-eth0";

    private static WorkloadEndpoint Wep(string node, string pod, string ip)
    {
        var wep = new WorkloadEndpoint { Metadata = { Name = node + "-k8s-" + pod + "-eth0", Namespace = "ns1", Labels = new() { ["pod"] = pod } } };
        wep.Spec.Node = node;
        wep.Spec.Orchestrator = "k8s";
        wep.Spec.Pod = pod;
        wep.Spec.Endpoint = "eth0";
        wep.Spec.InterfaceName = "cali" + pod.PadRight(11, '0')[..11];
        wep.Spec.IpNetworks = [ip];
        wep.Spec.Profiles = ["kns.ns1"];
        return wep;
    }

    private static IPPool Pool(string name, string cidr, bool nat)
    {
        var pool = new IPPool { Metadata = { Name = name } };
        pool.Spec.Cidr = cidr;
        pool.Spec.NatOutgoing = nat;
        return pool;
    }
}
