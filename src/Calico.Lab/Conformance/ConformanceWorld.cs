using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Calico.Api;
using Calico.Client;
using Calico.Reachability;

namespace Calico.Lab.Conformance;

/// <summary>
/// The resource side of one case, shared by every way of answering it: namespaces as Kubernetes Namespaces and
/// the pods' workload endpoints already exist (made by <see cref="EngineWorld"/> directly, or by the CNI plugin on a
/// lab); steps change the store through <see cref="ResourceClient"/> as <c>calicoctl apply/delete/label</c> would.
/// </summary>
public sealed class ConformanceWorld
{
    private readonly ResourceClient _client;
    private readonly List<PodRef> _pods;
    private readonly Dictionary<PodRef, IPAddress> _addresses;
    private readonly Dictionary<PodRef, string> _endpointNames;

    /// <summary>The kind each object was applied as, so <c>delete NetworkPolicy x/p</c> finds a Kubernetes policy too.</summary>
    private readonly Dictionary<(string Kind, string? Namespace, string Name), ResourceKind> _applied = [];

    public ConformanceWorld(ResourceClient client, IReadOnlyList<PodRef> pods, IReadOnlyDictionary<PodRef, IPAddress> addresses, IReadOnlyDictionary<PodRef, string> endpointNames)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(addresses);
        ArgumentNullException.ThrowIfNull(endpointNames);
        _client = client;
        _pods = [.. pods];
        _addresses = new Dictionary<PodRef, IPAddress>(addresses);
        _endpointNames = new Dictionary<PodRef, string>(endpointNames);
    }

    public IReadOnlyList<PodRef> Pods => _pods;

    public IReadOnlyDictionary<PodRef, IPAddress> Addresses => _addresses;

    /// <summary>Each pod's WorkloadEndpoint name in its namespace.</summary>
    public IReadOnlyDictionary<PodRef, string> EndpointNames => _endpointNames;

    public ResourceClient Client => _client;

    /// <summary>Where engine worlds are created instead of the system temp folder (tests watch their own folder).</summary>
    internal static AsyncLocal<string?> WorkRoot { get; } = new();

    /// <summary>One IPv4 pool as the lab and the engine use it (no encapsulation, NAT outgoing, /26 blocks).</summary>
    public static Task CreatePoolAsync(ResourceClient client, string cidr, CancellationToken cancellationToken) =>
        CreateAsync(client, Document("projectcalico.org/v3", "IPPool", null, "default-ipv4-ippool", new JsonObject
        {
            ["cidr"] = cidr,
            ["ipipMode"] = "Never",
            ["vxlanMode"] = "Never",
            ["natOutgoing"] = true,
            ["blockSize"] = 26,
            ["nodeSelector"] = "all()",
        }), cancellationToken);

    /// <summary>
    /// Creates the Kubernetes Namespace <paramref name="ns"/> (label <c>kubernetes.io/metadata.name</c>, so profile
    /// <c>kns.&lt;ns&gt;</c> carries the pcns labels) unless it exists.
    /// </summary>
    public static async Task EnsureNamespaceAsync(ResourceClient client, string ns, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var nsObject = Document(KubernetesNamespace.GroupVersion, KubernetesNamespace.KindName, null, ns, null);
        nsObject["metadata"]!["labels"] = new JsonObject { ["kubernetes.io/metadata.name"] = ns };
        var result = await client.CreateAsync(ResourceCodec.FromJsonNode(nsObject), cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded && result.Status != OperationStatus.AlreadyExists)
        {
            throw new CaseFormatException($"setting up namespace {ns}: {result.Message}");
        }
    }

    /// <summary>The named ports a pod serves the probes on: <c>serve-&lt;port&gt;-&lt;tcp|udp&gt;</c>.</summary>
    public static JsonArray NamedPorts(IEnumerable<Probe> probes)
    {
        ArgumentNullException.ThrowIfNull(probes);
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

        return ports;
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

    internal static async Task CreateAsync(ResourceClient client, JsonObject document, CancellationToken cancellationToken)
    {
        var result = await client.CreateAsync(ResourceCodec.FromJsonNode(document), cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new CaseFormatException($"setting up the case: {result.Message}");
        }
    }

    internal static JsonObject Document(string apiVersion, string kind, string? ns, string name, JsonObject? spec)
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
    internal static string Hex(string text, int length)
    {
        var hex = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(text)));
        while (hex.Length < length)
        {
            hex += Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(hex)));
        }

        return hex[..length];
    }
}
