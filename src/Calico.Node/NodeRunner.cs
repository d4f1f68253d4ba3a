using Calico.Api;
using Calico.Client;
using Calico.Datastore;
using Calico.Datastore.Syncer;
using Calico.Felix.Agent;
using Calico.Felix.Config;
using Calico.Linux.Kernel;
using Calico.Node.Kernel;
using Calico.Node.Startup;
using Microsoft.Extensions.Logging;

namespace Calico.Node;

/// <summary>
/// calico-node's life: start-up (datastore, node registration, configuration), then Felix's loop and the
/// datastore syncer until cancelled. Kernel state is left in place on exit: enforcement outlives the process.
/// </summary>
internal sealed partial class NodeRunner(NodeSettings settings, NodeServices services)
{
    private readonly ILogger _logger = services.LoggerFactory.CreateLogger("calico-node");
    private DatastoreReadyGate? _readyGate;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        DatastoreOptions options = CalicoApiConfig.LoadFromEnvironment(name => settings.Environment.GetValueOrDefault(name));

        // calico-node owns an embedded store's life (clients never create one): its state directory (the default
        // store's directory) is made here; any other directory must already exist, so a typo is an error.
        options.EmbeddedCreate = true;
        StateDirectory.Ensure(settings.StateDir);
        await using IKeyValueStore store = DatastoreFactory.Open(options, services.LoggerFactory);
        var client = new ResourceClient(store, TimeProvider.System);
        _readyGate = new DatastoreReadyGate(client, TimeProvider.System, services.LoggerFactory.CreateLogger("datastore-lock"));

        string? address = settings.Ipv4Address;
        if (address is null && settings.AutodetectIpv4)
        {
            string method = settings.Environment.GetValueOrDefault("IP_AUTODETECTION_METHOD") is { Length: > 0 } m ? m : "first-found";
            address = AddressAutodetection.Detect(method, System.Net.Sockets.AddressFamily.InterNetwork, out string reason);
            Log.Autodetected(_logger, reason);
            if (address is null)
            {
                // Upstream stops here too: a node without an address cannot route for its workloads.
                throw new InvalidOperationException("IP=autodetect found no IPv4 address: " + reason + " (set IP=<address> or IP_AUTODETECTION_METHOD, or IP=none)");
            }
        }

        string? address6 = settings.Ipv6Address;
        if (address6 is null && settings.AutodetectIpv6)
        {
            string method = settings.Environment.GetValueOrDefault("IP6_AUTODETECTION_METHOD") is { Length: > 0 } m ? m : "first-found";
            address6 = AddressAutodetection.Detect(method, System.Net.Sockets.AddressFamily.InterNetworkV6, out string reason);
            Log.Autodetected(_logger, reason);
            if (address6 is null)
            {
                throw new InvalidOperationException("IP6=autodetect found no IPv6 address: " + reason + " (set IP6=<address> or IP6_AUTODETECTION_METHOD, or IP6=none)");
            }
        }

        string? configText = File.Exists(settings.FelixConfigPath) ? await File.ReadAllTextAsync(settings.FelixConfigPath, cancellationToken).ConfigureAwait(false) : null;
        var felixSettings = new FelixSettings(settings, configText);

        // Health first, so an orchestrator sees "not ready: <why>" while the datastore is out of reach.
        var bootstrapInputs = new AgentInputs(settings.NodeName);
        FelixConfigLoadResult bootConfig = felixSettings.Load(bootstrapInputs);
        await using IAsyncDisposable endpoints = await services.StartEndpointsAsync(bootConfig.Config, cancellationToken).ConfigureAwait(false);

        // What the kernel offers is fixed for the process's life: probed once, then every setting is checked against it.
        KernelCapabilities capabilities = await KernelProbe.ProbeAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        KernelCapabilityReport kernel = services.CreateKernelReport(capabilities);
        kernel.LogProbe();

        Api.Node node = await RegisterWithRetryAsync(client, address, address6, cancellationToken).ConfigureAwait(false);
        NodeRegistration.WriteNodenameFile(settings.StateDir, settings.NodeName);
        await _readyGate.WaitUntilUnlockedAsync("default pools", cancellationToken).ConfigureAwait(false);
        await DefaultPools.EnsureAsync(client, settings.DefaultPools, DefaultPools.Host.Real, _logger, cancellationToken).ConfigureAwait(false);

        // The effective configuration needs FelixConfiguration objects and this node's labels: read them once now
        // (for the refresh interval and log level); the agent keeps them current through the syncer afterwards.
        var (configs, _) = await client.ListAsync(ResourceKinds.FelixConfiguration, null, cancellationToken).ConfigureAwait(false);
        foreach (Resource fc in configs)
        {
            bootstrapInputs.TryApply(ResourceKinds.FelixConfiguration, fc.Metadata.Name!, fc);
        }

        bootstrapInputs.TryApply(ResourceKinds.Node, node.Metadata.Name!, node);
        FelixConfigLoadResult loaded = felixSettings.Load(bootstrapInputs);
        foreach (ConfigProblem problem in loaded.Problems)
        {
            Log.ConfigProblem(_logger, problem.Message);
        }

        services.SetLogSeverity(loaded.Config.LogSeverityScreen);
        FelixConfig config = loaded.Config;
        kernel.SetFelixConfig(config);
        Routing.MtuManager mtu = await WriteMtuFileAsync(client, config, cancellationToken).ConfigureAwait(false);
        TimeSpan refresh = Shortest(config.NftablesRefreshInterval, config.IptablesRefreshInterval, config.RouteRefreshInterval);

        IDataplaneDriver driver = services.CreateDataplaneDriver(config, settings.BpfRoot);
        using FlowLogs.FlowLogWiring? flowLogs = FlowLogs.FlowLogWiring.Create(driver, config, settings, services.Registry, services.LoggerFactory);
        driver = (IDataplaneDriver?)flowLogs?.Tap ?? driver;
        using Routing.LinuxRoutingDriver routing = CreateRoutingDriver(client, store, config, kernel, mtu);
        var agent = FelixAgent.Create(
            settings.NodeName,
            driver,
            inputs =>
            {
                FelixConfig current = felixSettings.Load(inputs).Config;
                kernel.SetFelixConfig(current);
                mtu.SetSettings(FelixSettings.ToMtuSettings(current));
                return FelixSettings.ToRenderConfig(current);
            },
            refresh,
            services.Telemetry,
            services.LoggerFactory.CreateLogger("felix"));
        // Host endpoints by address follow the host's addresses: the watcher reports every change to the agent.
        using var hostInterfaces = Felix.Dataplane.Interfaces.HostInterfaceWatcher.Start(
            agent.ReportHostInterfaces, config.InterfacePrefix.Count > 0 ? config.InterfacePrefix : ["cali"], services.LoggerFactory.CreateLogger("host-interfaces"));
        // Routing writes to the datastore (tunnel address) and reloads BIRD: its own loop, so neither a slow datastore
        // nor BIRD ever holds back a policy change. Its outcome goes to the agent, which reports readiness.
        // CalicoNodeStatus: this node's requests come with the routing loop's snapshots; BIRD is read over its socket.
        var nodeStatus = NodeStatuses.NodeStatusReporter.Create(client, BirdSocket(), services.LoggerFactory.CreateLogger("node-status"), _readyGate);
        var routingLoop = new Routing.RoutingLoop(
            settings.NodeName, routing, agent.ReportRouting, refresh, TimeSpan.FromSeconds(1), TimeProvider.System, services.LoggerFactory.CreateLogger("routing"))
        {
            StateObserver = state => nodeStatus.Update(state.NodeStatuses),
            Trace = routing.Trace,
        };
        IReadOnlyList<string> prefixes = FelixAgent.WatchedPrefixes.Union(Routing.RoutingLoop.WatchedPrefixes, StringComparer.Ordinal).Union([DatastoreReadyGate.WatchedPrefix], StringComparer.Ordinal).ToList();
        await using var syncer = new WatcherSyncer(store, prefixes, new SyncerFanOut(flowLogs is null ? [_readyGate, agent, routingLoop] : [_readyGate, agent, routingLoop, flowLogs.Identities]), logger: services.LoggerFactory.CreateLogger<WatcherSyncer>());
        Log.Started(_logger, settings.NodeName, address ?? "none", refresh.TotalSeconds);
        syncer.Start();
        using var stopFlowLogs = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task flowLogsRun = flowLogs?.RunAsync(stopFlowLogs.Token) ?? Task.CompletedTask;
        Task nodeStatusRun = nodeStatus.RunAsync(stopFlowLogs.Token);
        try
        {
            await RunBothAsync(agent.RunAsync, routingLoop.RunAsync, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await stopFlowLogs.CancelAsync().ConfigureAwait(false);
            await flowLogsRun.ConfigureAwait(false);
            await IgnoreCancellationAsync(nodeStatusRun).ConfigureAwait(false);
        }

        Log.Stopping(_logger);
        return 0;
    }

    /// <summary>
    /// Runs Felix's loop and the routing loop until cancelled; when one fails, the other is stopped and the failure
    /// ends the process (as a failure of the single loop did before).
    /// </summary>
    private static async Task RunBothAsync(Func<CancellationToken, Task> felix, Func<CancellationToken, Task> routing, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task felixRun = felix(stop.Token);
        Task routingRun = routing(stop.Token);
        await Task.WhenAny(felixRun, routingRun).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(felixRun, routingRun).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Upstream's <c>CALICO_NETWORKING_BACKEND</c>: <c>bird</c> (default) runs BIRD; <c>vxlan</c> and <c>none</c> do not
    /// (VXLAN follows the pools either way). BGP passwords (<c>secretKeyRef</c>) are read from files
    /// <c>&lt;dir&gt;/&lt;secret&gt;/&lt;key&gt;</c> with dir <c>CALICO_BGP_SECRETS_DIR</c> (default /etc/calico/bgp-secrets):
    /// there is no Kubernetes secret store here.
    /// </summary>
    private Routing.LinuxRoutingDriver CreateRoutingDriver(ResourceClient client, IKeyValueStore store, FelixConfig config, KernelCapabilityReport kernel, Routing.MtuManager mtu)
    {
        string backend = settings.Environment.GetValueOrDefault("CALICO_NETWORKING_BACKEND") is { Length: > 0 } b ? b : "bird";
        string secrets = settings.Environment.GetValueOrDefault("CALICO_BGP_SECRETS_DIR") is { Length: > 0 } d ? d : "/etc/calico/bgp-secrets";
        Routing.BirdSupervisor? bird = backend == "bird" ? new Routing.BirdSupervisor(settings.StateDir, services.LoggerFactory.CreateLogger("bird")) : null;
        var tunnels = new Routing.TunnelAddressAllocator(client, new Calico.Ipam.IpamClient(store, TimeProvider.System), services.LoggerFactory.CreateLogger("tunnels")) { Gate = _readyGate };
        return new Routing.LinuxRoutingDriver(bird, tunnels, (name, key) => ReadSecret(secrets, name, key), config.VxlanVni, config.VxlanPort, kernel, services.LoggerFactory)
        {
            Mtu = mtu,
            IpipEnabled = config.IpipEnabled,
            RouterId = settings.Bgp.RouterId,
        };
    }

    /// <summary>
    /// The workload MTU for the CNI plugin, computed from the pools as they are now and written before Felix's loop
    /// starts (upstream's Felix writes it before its dataplane starts), so a workload created once calico-node is
    /// ready gets it; the routing loop keeps it current afterwards.
    /// </summary>
    private async Task<Routing.MtuManager> WriteMtuFileAsync(ResourceClient client, FelixConfig config, CancellationToken cancellationToken)
    {
        var mtu = new Routing.MtuManager(settings.StateDir, Routing.MtuManager.ReadHostLinks, services.LoggerFactory.CreateLogger("mtu"));
        mtu.SetSettings(FelixSettings.ToMtuSettings(config));
        var (pools, _) = await client.ListAsync(ResourceKinds.IPPool, null, cancellationToken).ConfigureAwait(false);
        mtu.Update(pools.OfType<IPPool>());
        return mtu;
    }

    /// <summary>BIRD's control socket when the networking backend runs BIRD; null otherwise (status: NotReady).</summary>
    private string? BirdSocket() =>
        (settings.Environment.GetValueOrDefault("CALICO_NETWORKING_BACKEND") is { Length: > 0 } b ? b : "bird") == "bird" ? Path.Combine(settings.StateDir, "bird.ctl") : null;

    private static async Task IgnoreCancellationAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static string? ReadSecret(string dir, string name, string key)
    {
        if (name.Contains('/', StringComparison.Ordinal) || key.Contains('/', StringComparison.Ordinal) || name.StartsWith('.') || key.StartsWith('.'))
        {
            return null;
        }

        string path = Path.Combine(dir, name, key);
        return File.Exists(path) ? File.ReadAllText(path).TrimEnd('\n', '\r') : null;
    }

    private async Task<Api.Node> RegisterWithRetryAsync(ResourceClient client, string? address, string? address6, CancellationToken cancellationToken)
    {
        TimeSpan delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                // A locked datastore (a migration in progress) gets no Node write: wait for the unlock.
                await _readyGate!.WaitUntilUnlockedAsync("node registration", cancellationToken).ConfigureAwait(false);
                return await NodeRegistration.EnsureAsync(client, settings.NodeName, address, address6, settings.Bgp.AsNumber, _logger, cancellationToken).ConfigureAwait(false);
            }
            catch (DatastoreUnavailableException e)
            {
                services.Telemetry.SetReadiness(false, "datastore unreachable: " + e.Message);
                Log.DatastoreUnavailable(_logger, e.Message, delay.TotalSeconds);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    private static TimeSpan Shortest(params TimeSpan[] intervals)
    {
        TimeSpan best = TimeSpan.Zero;
        foreach (TimeSpan t in intervals)
        {
            if (t > TimeSpan.Zero && (best == TimeSpan.Zero || t < best))
            {
                best = t;
            }
        }

        return best == TimeSpan.Zero ? TimeSpan.FromSeconds(90) : best;
    }

    private static partial class Log
    {
        [LoggerMessage(20, LogLevel.Information, "calico-node started: node {Node}, address {Address}, dataplane refresh every {Seconds} s")]
        public static partial void Started(ILogger logger, string node, string address, double seconds);

        [LoggerMessage(21, LogLevel.Information, "Address autodetection: {Reason}")]
        public static partial void Autodetected(ILogger logger, string reason);

        [LoggerMessage(22, LogLevel.Warning, "Configuration: {Problem}")]
        public static partial void ConfigProblem(ILogger logger, string problem);

        [LoggerMessage(23, LogLevel.Warning, "Datastore unreachable, retrying in {Seconds} s: {Reason}")]
        public static partial void DatastoreUnavailable(ILogger logger, string reason, double seconds);

        [LoggerMessage(24, LogLevel.Information, "Stopping; the dataplane stays programmed")]
        public static partial void Stopping(ILogger logger);
    }
}
