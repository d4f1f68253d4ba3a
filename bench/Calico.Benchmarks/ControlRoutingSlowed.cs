using System.Diagnostics;
using System.Globalization;
using Calico.Api;
using Calico.Client;
using Calico.Datastore;
using Calico.Datastore.Syncer;
using Calico.Felix.Agent;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;
using Calico.Ipam;
using Calico.Node;
using Calico.Node.Routing;
using Calico.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.Benchmarks;

/// <summary>
/// The control path with routing kept busy and its datastore slowed: calico-node's Felix agent and routing loop
/// in-process on the control bench's world (1,000 policies, 10,000 remote endpoints), fed by one syncer as in
/// calico-node, while a VXLAN pool is toggled every 250 ms so the routing loop keeps allocating and releasing the
/// tunnel address (IPAM and Node writes). Changes are paced 50 ms apart so they spread over the routing churn; each
/// run says how many were made while a routing apply was in progress (with the old single loop, each of those would
/// have waited for it). Measured twice: routing's writes as they are, then each delayed by 200 ms
/// (<see cref="DelayedWriteStore"/>; this kernel has no netem). Policy toggle and label toggle: write returned →
/// the agent's apply of the changed intent (the packet-level figures are the control bench's; this variant isolates
/// what routing costs the policy path). Root not needed.
/// </summary>
internal static class ControlRoutingSlowed
{
    private const int Policies = 1000;
    private const int RemoteEndpoints = 10_000;
    private const int LocalEndpoints = 100;
    private const int ChangesPerKind = 100;
    private const string ClientIp = "10.200.0.1";
    private const string ServerIp = "10.200.0.2";
    private const string VxlanPool = "bench-vxlan";
    private static readonly TimeSpan RoutingWriteDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan ChangeSpacing = TimeSpan.FromMilliseconds(50);

    public static async Task RunAsync()
    {
        Console.WriteLine($"dataplane-control, routing slowed: {Policies} policies, {RemoteEndpoints} remote endpoints, {LocalEndpoints} local; in-process agent + routing loop, VXLAN pool toggled every 250 ms, changes 50 ms apart");
        Console.WriteLine("  (machine shared and loaded: compare the two runs below, not absolute figures)");
        using var dir = new TempDirectory("bench-control-routing");
        await using var store = DatastoreFactory.Open(new DatastoreOptions { Type = DatastoreType.Embedded, EmbeddedCreate = true, EmbeddedPath = dir.File("calico.db") });
        var client = new ResourceClient(store, TimeProvider.System);
        var sw = Stopwatch.StartNew();
        await ControlWorld.WriteAsync(client, Policies, RemoteEndpoints, LocalEndpoints, CancellationToken.None);
        await ControlWorld.CreateAsync(client, ControlWorld.ProbeGate("Allow", ControlProbe.Port, null), CancellationToken.None);
        await ControlWorld.CreateAsync(client, ControlWorld.ProbeEndpoint("probeclient", ClientIp, "caliprobec0", ClientLabels(true), null), CancellationToken.None);
        await ControlWorld.CreateAsync(client, ControlWorld.ProbeEndpoint("probeserver", ServerIp, "caliprobes0", new Dictionary<string, string> { ["probe"] = "server" }, null), CancellationToken.None);
        var node = new Api.Node { Metadata = { Name = ControlWorld.HostNode } };
        node.Spec.Bgp = new NodeBGPSpec { Ipv4Address = "198.18.255.1/30" };
        await CreateAsync(client, node);
        var pool = new IPPool { Metadata = { Name = VxlanPool } };
        pool.Spec.Cidr = "172.30.0.0/16";
        pool.Spec.BlockSize = 26;
        pool.Spec.VxlanMode = "Never";
        await CreateAsync(client, pool);
        Stats.Row("datastore written (not timed below)", Stats.F(sw.Elapsed.TotalMilliseconds, "ms"));

        var normal = await MeasureAsync(store, client, TimeSpan.Zero);
        var slowed = await MeasureAsync(store, client, RoutingWriteDelay);

        Console.WriteLine("  ratios, routing writes +200 ms / as they are (aim: ~1, routing no longer in the policy loop's way)");
        Stats.Row("  policy toggle p50 / p99", Ratio(slowed.Policy, normal.Policy));
        Stats.Row("  label toggle  p50 / p99", Ratio(slowed.Label, normal.Label));
        Console.WriteLine("  ratios, anchor (routing in the policy loop, routing writes +200 ms) / measured (same run)");
        Stats.Row("  policy toggle p50 / p99", AnchorRatio(slowed.Policy));
        Stats.Row("  label toggle  p50 / p99", AnchorRatio(slowed.Label));
    }

    private static async Task<RunResult> MeasureAsync(IKeyValueStore store, ResourceClient client, TimeSpan routingWriteDelay)
    {
        Console.WriteLine(routingWriteDelay > TimeSpan.Zero
            ? $"  routing's datastore writes delayed by {routingWriteDelay.TotalMilliseconds:F0} ms"
            : "  routing's datastore writes as they are");
        IKeyValueStore routingStore = routingWriteDelay > TimeSpan.Zero ? new DelayedWriteStore(store, routingWriteDelay) : store;
        var routingDriver = new ControlRoutingDriver(new TunnelAddressAllocator(
            new ResourceClient(routingStore, TimeProvider.System), new IpamClient(routingStore, TimeProvider.System), NullLogger.Instance));
        var dataplane = new ControlIntentDriver();
        var agent = FelixAgent.Create(ControlWorld.HostNode, dataplane, _ => new RenderConfig(), TimeSpan.FromSeconds(90), null, NullLogger.Instance);
        var routing = new RoutingLoop(ControlWorld.HostNode, routingDriver, agent.ReportRouting, TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(1), TimeProvider.System, NullLogger.Instance);
        var prefixes = FelixAgent.WatchedPrefixes.Union(RoutingLoop.WatchedPrefixes, StringComparer.Ordinal).ToList();
        using var stop = new CancellationTokenSource();
        var firstApply = dataplane.Await(d => Gate(d) is not null);
        Task[] loops = [Task.Run(() => agent.RunAsync(stop.Token)), Task.Run(() => routing.RunAsync(stop.Token))];
        Task churn = Task.CompletedTask;
        try
        {
            await using var syncer = new WatcherSyncer(store, prefixes, new SyncerFanOut(agent, routing));
            var started = Stopwatch.GetTimestamp();
            syncer.Start();
            await firstApply.WaitAsync(TimeSpan.FromMinutes(5));
            Stats.Row("  start -> first apply", Stats.F(Stats.Ms(Stopwatch.GetTimestamp() - started), "ms"));

            churn = ChurnVxlanPoolAsync(client, stop.Token);
            await Task.Delay(1000);
            var gate = (GlobalNetworkPolicy)(await client.GetAsync(ResourceKinds.GlobalNetworkPolicy, null, "probe-gate", CancellationToken.None))!;
            var gateVersion = gate.Metadata.ResourceVersion!;
            var policy = await MeasureChangesAsync("policy rule Allow<->Deny", dataplane, routingDriver, allow => d => Gate(d) is { } g && g.InboundRules[0].Action == (allow ? RuleAction.Allow : RuleAction.Deny), async allow =>
            {
                var updated = await ControlWorld.UpdateAsync(client, ControlWorld.ProbeGate(allow ? "Allow" : "Deny", ControlProbe.Port, gateVersion), CancellationToken.None);
                gateVersion = updated.Metadata.ResourceVersion!;
            });
            var wep = await client.GetAsync(ResourceKinds.WorkloadEndpoint, "probe", ControlWorld.HostNode + "-k8s-probeclient-eth0", CancellationToken.None);
            var clientVersion = wep!.Metadata.ResourceVersion!;
            var label = await MeasureChangesAsync("endpoint label in/out of an IP set", dataplane, routingDriver, allow => d => ClientInAnySet(d) == allow, async allow =>
            {
                var updated = await ControlWorld.UpdateAsync(client, ControlWorld.ProbeEndpoint("probeclient", ClientIp, "caliprobec0", ClientLabels(allow), clientVersion), CancellationToken.None);
                clientVersion = updated.Metadata.ResourceVersion!;
            });

            var routingMs = routingDriver.ApplyMs();
            Stats.Row($"  routing applies meanwhile: {routingMs.Count}; duration p50 / p99", Pair(routingMs));
            return new RunResult(policy, label);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll([.. loops, churn]).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>Alternates deny and allow; each: write returned → the first apply whose intent shows the change.</summary>
    private static async Task<Percentiles> MeasureChangesAsync(
        string what, ControlIntentDriver dataplane, ControlRoutingDriver routing, Func<bool, Func<DesiredDataplane, bool>> shows, Func<bool, Task> write)
    {
        var samples = new List<double>();
        var failures = 0;
        var duringRouting = 0;
        var oneLoopEstimate = new List<Task<double>>();
        for (var i = 0; i < ChangesPerKind; i++)
        {
            await Task.Delay(ChangeSpacing);
            var allow = i % 2 == 1;
            var seen = dataplane.Await(shows(allow));
            await write(allow);
            var written = Stopwatch.GetTimestamp();
            Task<long>? routingDone = null;
            if (routing.Busy)
            {
                duringRouting++;
                routingDone = ApplyInProgressEndsAsync(routing, routing.Completed);
            }

            try
            {
                var applied = Stats.Ms(await seen.WaitAsync(TimeSpan.FromSeconds(10)) - written);
                samples.Add(applied);
                // Had routing run inside the policy loop (before this change), the change would have waited for the
                // routing apply in progress first: a lower bound of what the old shape cost.
                oneLoopEstimate.Add(routingDone is null ? Task.FromResult(applied) : AddAsync(routingDone, written, applied));
            }
            catch (TimeoutException)
            {
                failures++;
            }
        }

        Console.WriteLine($"    {what}: {ChangesPerKind} changes, {duringRouting} made while a routing apply was running, {failures} not applied within 10 s");
        Stats.Row("      write returned -> agent applied p50 / p99", Pair(samples));
        var anchor = (await Task.WhenAll(oneLoopEstimate)).ToList();
        Stats.Row("      anchor: + the routing apply in progress (routing in the policy loop) p50 / p99", Pair(anchor));
        return new Percentiles(Stats.Percentile(samples, 50), Stats.Percentile(samples, 99), Stats.Percentile(anchor, 50), Stats.Percentile(anchor, 99));
    }

    /// <summary>The Stopwatch time at which the routing apply in progress ended (polled every millisecond).</summary>
    private static async Task<long> ApplyInProgressEndsAsync(ControlRoutingDriver routing, int completedBefore)
    {
        while (routing.Completed == completedBefore)
        {
            await Task.Delay(1);
        }

        return Stopwatch.GetTimestamp();
    }

    private static async Task<double> AddAsync(Task<long> routingDone, long written, double applied) =>
        Stats.Ms(await routingDone - written) + applied;

    /// <summary>Toggles the VXLAN pool's mode every 250 ms: each turn makes routing claim or release the tunnel address.</summary>
    private static async Task ChurnVxlanPoolAsync(ResourceClient client, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var pool = (IPPool)(await client.GetAsync(ResourceKinds.IPPool, null, VxlanPool, cancellationToken))!;
                pool.Spec.VxlanMode = pool.Spec.VxlanMode == "Always" ? "Never" : "Always";
                await client.UpdateAsync(pool, cancellationToken);
                await Task.Delay(250, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static PolicyIntent? Gate(DesiredDataplane desired)
    {
        foreach (var (key, policy) in desired.State.Policies)
        {
            if (key.Name == "probe-gate")
            {
                return policy;
            }
        }

        return null;
    }

    private static bool ClientInAnySet(DesiredDataplane desired)
    {
        foreach (var (_, members) in desired.State.IpSets.Values)
        {
            if (members.Contains(ClientIp) || members.Contains(ClientIp + "/32"))
            {
                return true;
            }
        }

        return false;
    }

    private static Dictionary<string, string> ClientLabels(bool access) =>
        new() { ["probe"] = "client", ["probe-access"] = access ? "yes" : "no" };

    private static async Task CreateAsync(ResourceClient client, Resource resource)
    {
        var result = await client.CreateAsync(resource, CancellationToken.None);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("create failed: " + result.Message);
        }
    }

    private static string Pair(List<double> samples) => samples.Count == 0
        ? "no samples"
        : string.Create(CultureInfo.InvariantCulture, $"{Stats.Percentile(samples, 50),10:F2} / {Stats.Percentile(samples, 99):F2} ms");

    private static string Ratio(Percentiles slowed, Percentiles normal) =>
        string.Create(CultureInfo.InvariantCulture, $"{slowed.P50 / normal.P50,10:F2} / {slowed.P99 / normal.P99:F2} x");

    private static string AnchorRatio(Percentiles p) =>
        string.Create(CultureInfo.InvariantCulture, $"{p.AnchorP50 / p.P50,10:F2} / {p.AnchorP99 / p.P99:F2} x");

    private sealed record Percentiles(double P50, double P99, double AnchorP50, double AnchorP99);

    private sealed record RunResult(Percentiles Policy, Percentiles Label);
}
