using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Calico.Api;
using Calico.Client;
using Calico.Lab.Cluster;
using Calico.Lab.Conformance;
using Calico.Reachability;

namespace Calico.Benchmarks;

/// <summary>
/// A calico-lab of many hosts for <c>bench scale</c>, brought up in-process (VXLAN CrossSubnet, the lab's default;
/// no flow aggregator), one pod per host (label <c>scalebench</c>, an in-process listener on TCP/80 inside its
/// namespace). Disposing stops the listeners and runs <c>calico-lab down</c>.
/// </summary>
internal sealed class ScaleLab : IAsyncDisposable
{
    public static readonly Probe Http = new(Packet.Tcp, 80);
    public const string RouteReflectorLabel = "scalebench-route-reflector";

    private readonly List<ServeListener> _listeners = [];

    private ScaleLab(LabLayout layout, LabState state, LabDatastore datastore)
    {
        Layout = layout;
        State = state;
        Datastore = datastore;
    }

    public LabLayout Layout { get; }

    public LabState State { get; }

    public LabDatastore Datastore { get; }

    /// <summary>The pod on each host, in host order.</summary>
    public List<ProbeTarget> Pods { get; } = [];

    /// <summary>Brings the lab up; returns it with the seconds from the start of <c>up</c> to every calico-node ready.</summary>
    public static async Task<(ScaleLab Lab, double Seconds)> UpAsync(int hosts, string datastore, CancellationToken cancellationToken)
    {
        string name = "sb" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var layout = LabLayout.Create(name, Path.Combine(Path.GetTempPath(), "calico-bench-" + name));
        long started = Stopwatch.GetTimestamp();
        LabState state;
        try
        {
            state = await LabUp.UpAsync(layout, new UpOptions(Hosts: hosts, Datastore: datastore, NoFlows: true), TextWriter.Null, cancellationToken);
        }
        catch
        {
            await LabDown.DownAsync(layout, TextWriter.Null, CancellationToken.None);
            throw;
        }

        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return (new ScaleLab(layout, state, LabDatastore.Open(layout, state)), seconds);
    }

    /// <summary>
    /// Two route reflectors (host1 and host2: label + routeReflectorClusterID), every node peering with them
    /// (a BGPPeer selecting them by label), and the node-to-node mesh off: upstream's recipe.
    /// </summary>
    public async Task ConfigureRouteReflectorsAsync(CancellationToken cancellationToken)
    {
        ResourceClient client = Datastore.Client;
        foreach (string host in (string[])["host1", "host2"])
        {
            // calico-node writes its own Node too (tunnel addresses): re-read and retry on a conflict.
            for (int attempt = 0; ; attempt++)
            {
                var node = (Calico.Api.Node?)await client.GetAsync(ResourceKinds.Node, null, host, cancellationToken) ?? throw new InvalidOperationException($"no Node {host}");
                node.Metadata.Labels ??= new Dictionary<string, string>(StringComparer.Ordinal);
                node.Metadata.Labels[RouteReflectorLabel] = "true";
                node.Spec.Bgp ??= new NodeBGPSpec();
                node.Spec.Bgp.RouteReflectorClusterID = "224.0.0.1";
                OperationResult result = await client.UpdateAsync(node, cancellationToken);
                if (result.Status == OperationStatus.Ok)
                {
                    break;
                }

                if (attempt >= 10)
                {
                    Check(result, "Node " + host);
                }

                await Task.Delay(100, cancellationToken);
            }
        }

        await ApplyAsync(client, new BGPPeer { Metadata = { Name = "scalebench-peer-with-rrs" }, Spec = { NodeSelector = "all()", PeerSelector = $"has({RouteReflectorLabel})" } }, cancellationToken);
        await ApplyAsync(client, new BGPConfiguration { Metadata = { Name = "default" }, Spec = { NodeToNodeMeshEnabled = false } }, cancellationToken);
    }

    /// <summary>One pod per host (eight CNI ADDs at a time), each with its listener; returns the seconds it took.</summary>
    public async Task<double> RunPodsAsync(CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        using var gate = new SemaphoreSlim(8);
        var pods = await Task.WhenAll(State.Hosts.Select(async (host, i) =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                return await RunPodAsync(host.Name, "p" + (i + 1).ToString(CultureInfo.InvariantCulture), cancellationToken);
            }
            finally
            {
                gate.Release();
            }
        }));
        Pods.AddRange(pods);
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    public async Task<ProbeTarget> RunPodAsync(string host, string name, CancellationToken cancellationToken)
    {
        LabPod pod = await LabWorkloads.RunAsync(
            Layout, Datastore, host, new PodRef("scale", name), new Dictionary<string, string>(StringComparer.Ordinal) { ["scalebench"] = "true" }, [Http], LabWorkloads.ListenerMode.None, cancellationToken);
        string netns = LabLayout.NetnsPath(pod.Netns);
        _listeners.Add(await ServeListener.StartAsync(pod.Id, [Http], netns, cancellationToken));
        return new ProbeTarget(pod.Id, netns, IPAddress.Parse(pod.Address));
    }

    public Task DeletePodAsync(string name, CancellationToken cancellationToken) => LabWorkloads.DeleteAsync(Layout, "scale", name, cancellationToken);

    /// <summary>Seconds until every pod reaches every other (the full matrix, probed every half second); NaN past the limit.</summary>
    public async Task<double> UntilFullMatrixAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < limit)
        {
            ProbeMatrix matrix = await Prober.ProbeAsync(Pods, Http, cancellationToken);
            bool all = true;
            for (int i = 0; i < Pods.Count && all; i++)
            {
                for (int j = 0; j < Pods.Count && all; j++)
                {
                    all = i == j || matrix.Allowed(i, j) == true;
                }
            }

            if (all)
            {
                return Stopwatch.GetElapsedTime(started).TotalSeconds;
            }

            await Task.Delay(500, cancellationToken);
        }

        return double.NaN;
    }

    /// <summary>calico-node's PID on each host, and the other processes in its namespace (BIRD).</summary>
    public async Task<(List<int> Nodes, List<int> Birds)> ProcessesAsync(CancellationToken cancellationToken)
    {
        var nodes = new List<int>();
        var birds = new List<int>();
        foreach (LabHost host in LabStateFile.Load(Layout).Hosts)
        {
            int node = host.Node?.Pid ?? 0;
            nodes.Add(node);
            var inside = await Command.RunAsync("ip", ["netns", "pids", host.Netns], cancellationToken: cancellationToken);
            foreach (string line in inside.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                int pid = int.Parse(line, CultureInfo.InvariantCulture);
                if (pid != node && File.Exists($"/proc/{pid}/comm") && File.ReadAllText($"/proc/{pid}/comm").Trim() == "bird")
                {
                    birds.Add(pid);
                }
            }
        }

        return (nodes, birds);
    }

    /// <summary>etcd's PIDs (the processes named etcd in the fabric namespace) and its first client URL.</summary>
    public async Task<(List<int> Pids, string? Url)> EtcdAsync(CancellationToken cancellationToken)
    {
        var pids = new List<int>();
        var inside = await Command.RunAsync("ip", ["netns", "pids", Layout.FabricNetns], cancellationToken: cancellationToken);
        foreach (string line in inside.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int pid = int.Parse(line, CultureInfo.InvariantCulture);
            if (File.Exists($"/proc/{pid}/comm") && File.ReadAllText($"/proc/{pid}/comm").Trim() == "etcd")
            {
                pids.Add(pid);
            }
        }

        return (pids, State.EtcdEndpoints?.Split(',')[0]);
    }

    public static async Task ApplyAsync(ResourceClient client, Resource resource, CancellationToken cancellationToken)
    {
        var existing = await client.GetAsync(ResourceKinds.Of(resource), resource.Metadata.Namespace, resource.Metadata.Name!, cancellationToken);
        resource.Metadata.ResourceVersion = existing?.Metadata.ResourceVersion;
        Check(existing is null ? await client.CreateAsync(resource, cancellationToken) : await client.UpdateAsync(resource, cancellationToken), resource.Kind + " " + resource.Metadata.Name);
    }

    private static void Check(OperationResult result, string what)
    {
        if (result.Status != OperationStatus.Ok)
        {
            throw new InvalidOperationException($"writing {what}: {result.Status} {result.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (ServeListener listener in _listeners)
        {
            await listener.DisposeAsync();
        }

        await Datastore.DisposeAsync();
        await LabDown.DownAsync(Layout, TextWriter.Null, CancellationToken.None);
    }
}
