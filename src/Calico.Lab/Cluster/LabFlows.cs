using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Calico.Linux;

namespace Calico.Lab.Cluster;

/// <summary>
/// The lab's flow aggregator: <c>goldmane</c> (from the directory calico-node comes from) runs inside the fabric
/// namespace, where every host reaches it on the fabric router's address (<see cref="LabLayout.FabricGateway"/>,
/// gRPC on <see cref="GrpcPort"/>, web view on <see cref="WebPort"/>), and a detached <c>calico-lab relay</c> in the
/// machine's namespace listens on two loopback ports and relays each connection through a socket made inside the
/// fabric namespace, as <see cref="NetnsRelay"/> does for etcd: nothing in the machine's namespace is configured.
/// </summary>
public static class LabFlows
{
    public const int GrpcPort = 7443;
    public const int WebPort = 8081;

    /// <summary>Every lab node's <c>flowLogsFlushInterval</c> (upstream's default is 300 s: too slow to watch).</summary>
    public const int FlushIntervalSeconds = 15;

    /// <summary>How long the aggregator may take to listen, and the relay to report its ports.</summary>
    public static readonly TimeSpan ReadyLimit = TimeSpan.FromSeconds(30);

    /// <summary>The address and port calico-node is given as <c>flowLogsGoldmaneServer</c>.</summary>
    public static string Server => string.Create(CultureInfo.InvariantCulture, $"{LabLayout.FabricGateway}:{GrpcPort}");

    /// <summary>Starts the aggregator, then the relay; each is in lab.json before it is waited for.</summary>
    public static async Task<LabFlowsState> StartAsync(LabLayout layout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var flows = new LabFlowsState { Server = Server, FlushIntervalSeconds = FlushIntervalSeconds };
        Directory.CreateDirectory(layout.FlowsDir);
        flows.Aggregator = StartAggregator(layout);
        await LabStateFile.UpdateAsync(layout, s => s.Flows = flows, cancellationToken).ConfigureAwait(false);
        await WaitAggregatorAsync(layout, flows.Aggregator, cancellationToken).ConfigureAwait(false);

        var lab = Path.Combine(Binaries.FindDirectory(Binaries.Lab), Binaries.Lab);
        File.Delete(layout.FlowsRelayPortsFile);
        flows.Relay = new LabProcess
        {
            Pid = DetachedProcess.StartHere(
                lab,
                ["relay", "--netns", layout.FabricNetns, "--ports-file", layout.FlowsRelayPortsFile, Server, string.Create(CultureInfo.InvariantCulture, $"{LabLayout.FabricGateway}:{WebPort}")],
                new Dictionary<string, string>(StringComparer.Ordinal),
                Path.Combine(layout.FlowsDir, "relay.log")),
            Marker = layout.FlowsRelayPortsFile,
        };
        await LabStateFile.UpdateAsync(layout, s => s.Flows = flows, cancellationToken).ConfigureAwait(false);
        var ports = await WaitRelayAsync(layout, flows.Relay, cancellationToken).ConfigureAwait(false);
        flows.Grpc = ports[0];
        flows.Web = "http://" + ports[1] + "/";
        await LabStateFile.UpdateAsync(layout, s => s.Flows = flows, cancellationToken).ConfigureAwait(false);
        return flows;
    }

    /// <summary>The variables that point calico-node at the aggregator (none when the lab runs without it).</summary>
    public static void AddNodeEnvironment(LabState state, IDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(environment);
        if (state.Flows is { } flows)
        {
            environment["FELIX_FLOWLOGSGOLDMANESERVER"] = flows.Server;
            environment["FELIX_FLOWLOGSFLUSHINTERVAL"] = flows.FlushIntervalSeconds.ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>SIGKILL to the aggregator, as in a crash; returns once it is gone. The relay stays.</summary>
    public static async Task KillAggregatorAsync(LabLayout layout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var aggregator = FlowsOf(LabStateFile.Load(layout), layout).Aggregator;
        if (aggregator is null || !DetachedProcess.IsRunning(aggregator))
        {
            return;
        }

        await Command.RunAsync("kill", ["-KILL", aggregator.Pid.ToString(CultureInfo.InvariantCulture)], cancellationToken: cancellationToken).ConfigureAwait(false);
        while (DetachedProcess.IsAlive(aggregator.Pid))
        {
            await Task.Delay(25, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Starts the aggregator again (it must not be running) and waits until it listens.</summary>
    public static async Task StartAggregatorAgainAsync(LabLayout layout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var flows = FlowsOf(LabStateFile.Load(layout), layout);
        if (flows.Aggregator is { } running && DetachedProcess.IsRunning(running))
        {
            throw new LabException($"the flow aggregator of lab '{layout.Name}' still runs (pid {running.Pid})");
        }

        var process = StartAggregator(layout);
        await LabStateFile.UpdateAsync(layout, s => FlowsOf(s, layout).Aggregator = process, cancellationToken).ConfigureAwait(false);
        await WaitAggregatorAsync(layout, process, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the aggregator through a symbolic link in the lab's flows directory, so its command line names this
    /// lab (the marker <c>down</c> checks before it signals the PID).
    /// </summary>
    private static LabProcess StartAggregator(LabLayout layout)
    {
        var binary = Path.Combine(Binaries.FindDirectory(Binaries.Goldmane), Binaries.Goldmane);
        var link = Path.Combine(layout.FlowsDir, Binaries.Goldmane);
        File.Delete(link);
        File.CreateSymbolicLink(link, binary);
        // All of the fabric's addresses: hosts on either subnet (and the outside) reach it at their gateway.
        var arguments = new[] { "--port", GrpcPort.ToString(CultureInfo.InvariantCulture), "--http-port", WebPort.ToString(CultureInfo.InvariantCulture) };
        var pid = DetachedProcess.StartInNetns(layout.FabricNetns, link, arguments, new Dictionary<string, string>(StringComparer.Ordinal), layout.FlowsLog);
        return new LabProcess { Pid = pid, Marker = link };
    }

    private static async Task WaitAggregatorAsync(LabLayout layout, LabProcess aggregator, CancellationToken cancellationToken)
    {
        var netns = LabLayout.NetnsPath(layout.FabricNetns);
        var deadline = DateTime.UtcNow + ReadyLimit;
        while (true)
        {
            if (await ListensAsync(netns, GrpcPort, cancellationToken).ConfigureAwait(false) && await ListensAsync(netns, WebPort, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            if (!DetachedProcess.IsRunning(aggregator))
            {
                throw new LabException($"the flow aggregator (pid {aggregator.Pid}) exited before it listened on {LabLayout.FabricGateway}:{GrpcPort} and :{WebPort}; the end of {layout.FlowsLog}:\n{NodeReadiness.Tail(layout.FlowsLog, 20)}");
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new LabException($"the flow aggregator does not listen on {LabLayout.FabricGateway}:{GrpcPort} and :{WebPort} in {layout.FabricNetns} after {ReadyLimit.TotalSeconds:0} s; the end of {layout.FlowsLog}:\n{NodeReadiness.Tail(layout.FlowsLog, 20)}");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The relay's two loopback endpoints (gRPC, web), once it wrote them.</summary>
    private static async Task<string[]> WaitRelayAsync(LabLayout layout, LabProcess relay, CancellationToken cancellationToken)
    {
        var log = Path.Combine(layout.FlowsDir, "relay.log");
        var deadline = DateTime.UtcNow + ReadyLimit;
        while (true)
        {
            if (File.Exists(layout.FlowsRelayPortsFile))
            {
                var ports = (await File.ReadAllTextAsync(layout.FlowsRelayPortsFile, cancellationToken).ConfigureAwait(false)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (ports.Length == 2)
                {
                    return ports;
                }
            }

            if (!DetachedProcess.IsRunning(relay))
            {
                throw new LabException($"the flows relay (pid {relay.Pid}) exited before it listened; the end of {log}:\n{NodeReadiness.Tail(log, 20)}");
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new LabException($"the flows relay wrote no ports to {layout.FlowsRelayPortsFile} in {ReadyLimit.TotalSeconds:0} s; the end of {log}:\n{NodeReadiness.Tail(log, 20)}");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>True when a TCP connection to the fabric router's port succeeds from inside the fabric namespace.</summary>
    private static async Task<bool> ListensAsync(string netnsPath, int port, CancellationToken cancellationToken)
    {
        using var socket = await NetworkNamespace.RunInAsync(netnsPath, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp), cancellationToken).ConfigureAwait(false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(LabLayout.FabricGateway), port), timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static LabFlowsState FlowsOf(LabState state, LabLayout layout) =>
        state.Flows ?? throw new LabException($"lab '{layout.Name}' runs without the flow aggregator (up --no-flows or --no-node)");
}
