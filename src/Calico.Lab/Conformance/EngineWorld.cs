using System.Net;
using System.Text.Json.Nodes;
using Calico.Api;
using Calico.Client;
using Calico.Datastore;
using Calico.Felix.Calc.Model;
using Calico.Reachability;

namespace Calico.Lab.Conformance;

/// <summary>
/// A case in a throw-away embedded store, with the workload endpoints the CNI plugin would write for Kubernetes
/// (made directly, no interfaces), answered through the calculation graph and the evaluator.
/// </summary>
public sealed class EngineWorld : ICaseWorld
{
    public const string PoolCidr = "10.244.0.0/16";
    private static readonly string[] s_nodes = ["host1", "host2", "host3"];

    private readonly string _directory;
    private readonly IKeyValueStore _store;

    private EngineWorld(string directory, IKeyValueStore store, ConformanceWorld resources)
    {
        _directory = directory;
        _store = store;
        Resources = resources;
    }

    public ConformanceWorld Resources { get; }

    public static async Task<EngineWorld> CreateAsync(IReadOnlyList<PodRef> pods, IReadOnlyList<Probe> probes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(probes);
        var directory = ConformanceWorld.WorkRoot.Value is { } root
            ? Directory.CreateDirectory(Path.Combine(root, "calico-lab-" + Guid.NewGuid().ToString("N"))).FullName
            : Directory.CreateTempSubdirectory("calico-lab-").FullName;
        IKeyValueStore? store = null;
        try
        {
            store = DatastoreFactory.Open(new DatastoreOptions { Type = DatastoreType.Embedded, EmbeddedCreate = true, EmbeddedPath = Path.Combine(directory, "calico.db") });
            var client = new ResourceClient(store, TimeProvider.System);
            var (addresses, names) = await PopulateAsync(client, pods, probes, cancellationToken).ConfigureAwait(false);
            return new EngineWorld(directory, store, new ConformanceWorld(client, pods, addresses, names));
        }
        catch
        {
            if (store is not null)
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }

            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    private static async Task<(Dictionary<PodRef, IPAddress>, Dictionary<PodRef, string>)> PopulateAsync(
        ResourceClient client, IReadOnlyList<PodRef> pods, IReadOnlyList<Probe> probes, CancellationToken cancellationToken)
    {
        await client.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await ConformanceWorld.CreatePoolAsync(client, PoolCidr, cancellationToken).ConfigureAwait(false);
        foreach (var ns in pods.Select(p => p.Namespace).Distinct(StringComparer.Ordinal))
        {
            await ConformanceWorld.EnsureNamespaceAsync(client, ns, cancellationToken).ConfigureAwait(false);
        }

        var addresses = new Dictionary<PodRef, IPAddress>();
        var names = new Dictionary<PodRef, string>();
        for (var i = 0; i < pods.Count; i++)
        {
            var pod = pods[i];
            var address = new IPAddress([10, 244, (byte)(i / 250), (byte)((i % 250) + 2)]);
            addresses[pod] = address;
            var spec = new JsonObject
            {
                ["orchestrator"] = "k8s",
                ["node"] = s_nodes[i % s_nodes.Length],
                ["containerID"] = ConformanceWorld.Hex(pod + "/container", 64),
                ["pod"] = pod.Name,
                ["endpoint"] = "eth0",
                ["ipNetworks"] = new JsonArray(address + "/32"),
                ["profiles"] = new JsonArray("kns." + pod.Namespace),
                ["interfaceName"] = "cali" + ConformanceWorld.Hex(pod.Namespace + "." + pod.Name, 11),
                ["ports"] = ConformanceWorld.NamedPorts(probes),
            };
            var wep = (WorkloadEndpoint)ResourceCodec.FromJsonNode(ConformanceWorld.Document("projectcalico.org/v3", "WorkloadEndpoint", pod.Namespace, "placeholder", spec));
            if (!WorkloadEndpointNames.TryCompute(wep.Spec, out var name, out var error))
            {
                throw new CaseFormatException($"pod {pod}: {error}");
            }

            wep.Metadata.Name = name;
            wep.Metadata.Labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["pod"] = pod.Name };
            names[pod] = name;
            var result = await client.CreateAsync(wep, cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw new CaseFormatException($"pod {pod}: {result.Message}");
            }
        }

        return (addresses, names);
    }

    /// <summary>The store as it is now, through a fresh calculation graph, then one matrix per probe.</summary>
    public async Task<IReadOnlyList<ProbeMatrix>> MeasureAsync(IReadOnlyList<Probe> probes, IReadOnlyDictionary<Probe, bool?[,]> expected, CancellationToken cancellationToken)
    {
        var resources = await Resources.Client.ListAllAsync(cancellationToken).ConfigureAwait(false);
        var evaluator = new PolicyEvaluator(DataplaneLoader.Load(resources));
        var endpoints = Resources.Pods
            .Select(p => new MatrixEndpoint(p.ToString(), new EndpointKey(false, p.Namespace, Resources.EndpointNames[p]), Resources.Addresses[p]))
            .ToList();
        return [.. ReachabilityMatrix.Compute(evaluator, endpoints, probes).Select(ProbeMatrix.FromEngine)];
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone.
        }
    }
}
