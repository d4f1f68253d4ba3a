using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Calico.Api;
using Calico.Client;
using Calico.Datastore;
using Calico.Felix.Calc.Model;
using Calico.Reachability;

namespace Calico.Lab.Conformance;

/// <summary>
/// The world of one case in a throw-away embedded store: namespaces as Kubernetes Namespaces, pods as the
/// workload endpoints the CNI plugin writes for Kubernetes, one IPv4 pool. Steps change it through
/// <see cref="ResourceClient"/>; <see cref="ComputeAsync"/> answers through the calculation graph and the evaluator.
/// </summary>
public sealed class ConformanceWorld : IAsyncDisposable
{
    public const string PoolCidr = "10.244.0.0/16";
    private static readonly string[] s_nodes = ["host1", "host2", "host3"];

    private readonly string _directory;
    private readonly IKeyValueStore _store;
    private readonly ResourceClient _client;
    private readonly List<PodRef> _pods;
    private readonly Dictionary<PodRef, IPAddress> _addresses = [];
    private readonly Dictionary<PodRef, string> _endpointNames = [];

    /// <summary>The kind each object was applied as, so <c>delete NetworkPolicy x/p</c> finds a Kubernetes policy too.</summary>
    private readonly Dictionary<(string Kind, string? Namespace, string Name), ResourceKind> _applied = [];

    private ConformanceWorld(string directory, IKeyValueStore store, IReadOnlyList<PodRef> pods)
    {
        _directory = directory;
        _store = store;
        _client = new ResourceClient(store, TimeProvider.System);
        _pods = [.. pods];
    }

    public IReadOnlyList<PodRef> Pods => _pods;

    public IReadOnlyDictionary<PodRef, IPAddress> Addresses => _addresses;

    /// <summary>Where worlds are created instead of the system temp folder (tests watch their own folder).</summary>
    internal static AsyncLocal<string?> WorkRoot { get; } = new();

    public static async Task<ConformanceWorld> CreateAsync(IReadOnlyList<PodRef> pods, IReadOnlyList<Probe> probes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(probes);
        var directory = WorkRoot.Value is { } root
            ? Directory.CreateDirectory(Path.Combine(root, "calico-lab-" + Guid.NewGuid().ToString("N"))).FullName
            : Directory.CreateTempSubdirectory("calico-lab-").FullName;
        IKeyValueStore? store = null;
        try
        {
            store = DatastoreFactory.Open(new DatastoreOptions { Type = DatastoreType.Embedded, EmbeddedPath = Path.Combine(directory, "calico.db") });
            var world = new ConformanceWorld(directory, store, pods);
            await world.PopulateAsync(probes, cancellationToken).ConfigureAwait(false);
            return world;
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

    private async Task PopulateAsync(IReadOnlyList<Probe> probes, CancellationToken cancellationToken)
    {
        await _client.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await CreateAsync(Document("projectcalico.org/v3", "IPPool", null, "default-ipv4-ippool", new JsonObject
        {
            ["cidr"] = PoolCidr,
            ["ipipMode"] = "Never",
            ["vxlanMode"] = "Never",
            ["natOutgoing"] = true,
            ["blockSize"] = 26,
            ["nodeSelector"] = "all()",
        }), cancellationToken).ConfigureAwait(false);

        foreach (var ns in _pods.Select(p => p.Namespace).Distinct(StringComparer.Ordinal))
        {
            var nsObject = Document(KubernetesNamespace.GroupVersion, KubernetesNamespace.KindName, null, ns, null);
            nsObject["metadata"]!["labels"] = new JsonObject { ["kubernetes.io/metadata.name"] = ns };
            await CreateAsync(nsObject, cancellationToken).ConfigureAwait(false);
        }

        for (var i = 0; i < _pods.Count; i++)
        {
            var pod = _pods[i];
            var address = new IPAddress([10, 244, (byte)(i / 250), (byte)((i % 250) + 2)]);
            _addresses[pod] = address;
            var node = s_nodes[i % s_nodes.Length];
            var ports = new JsonArray();
            foreach (var probe in probes)
            {
                var protocol = Packet.ProtocolName(probe.Protocol);
                ports.Add((JsonNode)new JsonObject
                {
                    ["name"] = string.Create(CultureInfo.InvariantCulture, $"serve-{probe.Port}-{protocol}"),
                    ["protocol"] = protocol.ToUpperInvariant(),
                    ["port"] = probe.Port,
                });
            }

            var spec = new JsonObject
            {
                ["orchestrator"] = "k8s",
                ["node"] = node,
                ["containerID"] = Hex(pod + "/container", 64),
                ["pod"] = pod.Name,
                ["endpoint"] = "eth0",
                ["ipNetworks"] = new JsonArray(address + "/32"),
                ["profiles"] = new JsonArray("kns." + pod.Namespace),
                ["interfaceName"] = "cali" + Hex(pod.Namespace + "." + pod.Name, 11),
                ["ports"] = ports,
            };
            var wep = (WorkloadEndpoint)ResourceCodec.FromJsonNode(Document("projectcalico.org/v3", "WorkloadEndpoint", pod.Namespace, "placeholder", spec));
            if (!WorkloadEndpointNames.TryCompute(wep.Spec, out var name, out var error))
            {
                throw new CaseFormatException($"pod {pod}: {error}");
            }

            wep.Metadata.Name = name;
            wep.Metadata.Labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["pod"] = pod.Name };
            _endpointNames[pod] = name;
            var result = await _client.CreateAsync(wep, cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw new CaseFormatException($"pod {pod}: {result.Message}");
            }
        }
    }

    /// <summary>Applies a YAML stream as <c>calicoctl apply</c>: create, or replace what exists. The first failure stops the step.</summary>
    public async Task ApplyAsync(string yaml, CancellationToken cancellationToken)
    {
        var resolved = Placeholders.Resolve(yaml, _addresses);
        IReadOnlyList<Resource> resources;
        try
        {
            resources = ResourceCodec.Decode(resolved);
        }
        catch (Exception e) when (e is ResourceDecodeException or YamlDotNet.Core.YamlException or InvalidOperationException or System.Text.Json.JsonException)
        {
            // The codec may let a YAML parser error escape unwrapped; any of them means the stream is not valid.
            throw new CaseFormatException("apply: the YAML stream cannot be read: " + e.Message, e);
        }

        foreach (var resource in resources)
        {
            var kind = ResourceKinds.Of(resource);
            if (kind.ReadOnly)
            {
                throw new CaseFormatException($"apply: {kind.Kind} is read-only");
            }

            if (kind.Namespaced && string.IsNullOrEmpty(resource.Metadata.Namespace))
            {
                resource.Metadata.Namespace = "default";
            }
            else if (!kind.Namespaced && !string.IsNullOrEmpty(resource.Metadata.Namespace))
            {
                throw new CaseFormatException($"apply: namespace should not be specified for a non-namespaced resource. {kind.Kind} is not a namespaced resource");
            }

            var error = await ApplyOneAsync(resource, kind, cancellationToken).ConfigureAwait(false);
            if (error is not null)
            {
                throw new CaseFormatException($"apply {ResourceIdentity.Describe(resource)}: {error}");
            }

            _applied[(kind.Kind, kind.Namespaced ? resource.Metadata.Namespace : null, resource.Metadata.Name ?? "")] = kind;
        }
    }

    private async Task<string?> ApplyOneAsync(Resource resource, ResourceKind kind, CancellationToken cancellationToken)
    {
        try
        {
            var forCreate = ResourceCodec.Clone(resource);
            forCreate.Metadata.ResourceVersion = null;
            var created = await _client.CreateAsync(forCreate, cancellationToken).ConfigureAwait(false);
            if (created.Status != OperationStatus.AlreadyExists)
            {
                return created.Succeeded ? null : created.Message;
            }

            var current = await _client.GetAsync(kind, resource.Metadata.Namespace, resource.Metadata.Name ?? "", cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                return "resource vanished during apply";
            }

            var forUpdate = ResourceCodec.Clone(resource);
            forUpdate.Metadata.ResourceVersion = current.Metadata.ResourceVersion;
            var updated = await _client.UpdateAsync(forUpdate, cancellationToken).ConfigureAwait(false);
            return updated.Succeeded ? null : updated.Message;
        }
        catch (ValidationException e)
        {
            return e.Message;
        }
    }

    /// <summary>Deletes <c>Kind ns/name</c> or <c>Kind name</c>, by the kind the object was applied as.</summary>
    public async Task DeleteAsync(string entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var words = entry.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length != 2)
        {
            throw new CaseFormatException($"delete: '{entry}' is not 'Kind ns/name' or 'Kind name'");
        }

        if (!ResourceKinds.TryResolve(words[0], out var kind))
        {
            throw new CaseFormatException($"delete: '{entry}': resource type '{words[0]}' is not supported");
        }

        var slash = words[1].IndexOf('/', StringComparison.Ordinal);
        var ns = slash < 0 ? null : words[1][..slash];
        var name = slash < 0 ? words[1] : words[1][(slash + 1)..];
        var key = (kind.Kind, kind.Namespaced || ns is not null ? ns ?? "default" : null, name);
        if (_applied.TryGetValue(key, out var appliedKind))
        {
            kind = appliedKind;
        }

        if (!kind.Namespaced && ns is not null)
        {
            throw new CaseFormatException($"delete: '{entry}': {kind.Kind} is not namespaced");
        }

        var result = await _client.DeleteAsync(kind, kind.Namespaced ? ns ?? "default" : null, name, null, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new CaseFormatException($"delete: '{entry}': {result.Message}");
        }

        _applied.Remove(key);
    }

    /// <summary>Sets labels on a pod's workload endpoint, keeping the others.</summary>
    public async Task LabelPodAsync(string podText, IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken)
    {
        if (!PodRef.TryParse(podText, out var pod) || !_endpointNames.TryGetValue(pod.Value, out var name))
        {
            throw new CaseFormatException($"labelPods: '{podText}' is not a pod of the case");
        }

        await RelabelAsync(ResourceKinds.WorkloadEndpoint, pod.Value.Namespace, name, labels, "labelPods " + podText, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sets labels on a namespace (and so on its profile <c>kns.&lt;ns&gt;</c>), keeping the others.</summary>
    public async Task LabelNamespaceAsync(string ns, IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken)
    {
        if (!_pods.Any(p => p.Namespace == ns))
        {
            throw new CaseFormatException($"labelNamespaces: '{ns}' is not a namespace of the case");
        }

        await RelabelAsync(ResourceKinds.KubernetesNamespace, null, ns, labels, "labelNamespaces " + ns, cancellationToken).ConfigureAwait(false);
    }

    private async Task RelabelAsync(ResourceKind kind, string? ns, string name, IReadOnlyDictionary<string, string> labels, string what, CancellationToken cancellationToken)
    {
        var current = await _client.GetAsync(kind, ns, name, cancellationToken).ConfigureAwait(false)
            ?? throw new CaseFormatException($"{what}: {ResourceIdentity.Describe(kind, ns, name)} does not exist");
        current.Metadata.Labels ??= new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in labels)
        {
            current.Metadata.Labels[k] = v;
        }

        try
        {
            var result = await _client.UpdateAsync(current, cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw new CaseFormatException($"{what}: {result.Message}");
            }
        }
        catch (ValidationException e)
        {
            throw new CaseFormatException($"{what}: {e.Message}", e);
        }
    }

    /// <summary>The store as it is now, through a fresh calculation graph, then one matrix per probe.</summary>
    public async Task<IReadOnlyList<ReachabilityMatrix>> ComputeAsync(IReadOnlyList<Probe> probes, CancellationToken cancellationToken)
    {
        var resources = await _client.ListAllAsync(cancellationToken).ConfigureAwait(false);
        var state = DataplaneLoader.Load(resources);
        var evaluator = new PolicyEvaluator(state);
        var endpoints = _pods.Select(p => new MatrixEndpoint(p.ToString(), new EndpointKey(false, p.Namespace, _endpointNames[p]), _addresses[p])).ToList();
        return ReachabilityMatrix.Compute(evaluator, endpoints, probes);
    }

    private async Task CreateAsync(JsonObject document, CancellationToken cancellationToken)
    {
        var result = await _client.CreateAsync(ResourceCodec.FromJsonNode(document), cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new CaseFormatException($"setting up the case: {result.Message}");
        }
    }

    private static JsonObject Document(string apiVersion, string kind, string? ns, string name, JsonObject? spec)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }

        var doc = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind, ["metadata"] = metadata };
        if (spec is not null)
        {
            doc["spec"] = spec;
        }

        return doc;
    }

    /// <summary>Upstream's veth name is "cali" + the first 11 hex digits of SHA-1("&lt;ns&gt;.&lt;pod&gt;").</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "A name, not security: upstream derives interface names with SHA-1.")]
    private static string Hex(string text, int length)
    {
        var hex = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(text)));
        while (hex.Length < length)
        {
            hex += Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(hex)));
        }

        return hex[..length];
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
