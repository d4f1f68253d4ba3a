using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Calico.Api;
using Calico.Datastore;

namespace Calico.Client;

/// <summary>
/// Typed CRUD over the key-value seam with upstream clientv3 semantics: defaults and validation on every
/// write, <c>resourceVersion</c> = the key's revision (never stored), <c>uid</c> and <c>creationTimestamp</c>
/// set on create and kept on update, compare-and-swap on the revision, and the cross-object rules that need
/// the store (pool overlap, tier existence). Expected outcomes come back as <see cref="OperationResult"/>;
/// invalid input throws <see cref="ValidationException"/> before anything is written.
/// </summary>
public sealed partial class ResourceClient(IKeyValueStore store, TimeProvider timeProvider)
{
    /// <summary>Synthesized by the backend on every read, never stored (upstream does the same).</summary>
    public const string DefaultAllowProfileName = "projectcalico-default-allow";

    /// <summary>Upstream's backend keeps a policy's v3 name in this annotation on write and strips it on read.</summary>
    private const string PolicyMetadataAnnotation = "projectcalico.org/metadata";

    public IKeyValueStore Store { get; } = store;

    public async Task<Resource?> GetAsync(ResourceKind kind, string? ns, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ns = NamespaceFor(kind, ns);
        if (kind.Kind == "Profile" && name == DefaultAllowProfileName)
        {
            return SynthesizedDefaultAllowProfile();
        }

        var kv = await Store.GetAsync(ResourceIdentity.Key(kind, ns, name), cancellationToken).ConfigureAwait(false);
        return kv is null ? null : FromStored(kind, kv);
    }

    /// <summary>
    /// Every resource of a kind, in one namespace or (ns null) in all, sorted as the store sorts keys.
    /// Throws <see cref="CorruptResourceException"/> naming the first unreadable key; <see cref="ListReadableAsync"/>
    /// lists past them.
    /// </summary>
    public async Task<(IReadOnlyList<Resource> Items, long Revision)> ListAsync(ResourceKind kind, string? ns, CancellationToken cancellationToken)
    {
        var list = await ListReadableAsync(kind, ns, cancellationToken).ConfigureAwait(false);
        if (list.Corrupt.Count > 0)
        {
            throw list.Corrupt[0];
        }

        return (list.Items, list.Revision);
    }

    /// <summary>Like <see cref="ListAsync"/>, but an unreadable value is reported beside the good items, not thrown.</summary>
    public async Task<ResourceList> ListReadableAsync(ResourceKind kind, string? ns, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kind);
        var list = await Store.ListAsync(ResourceIdentity.Prefix(kind, kind.Namespaced ? ns : null), cancellationToken).ConfigureAwait(false);
        var items = new List<Resource>(list.Items.Count + 1);
        var corrupt = new List<CorruptResourceException>();
        if (kind.Kind == "Profile")
        {
            items.Add(SynthesizedDefaultAllowProfile());
        }

        foreach (var kv in list.Items)
        {
            try
            {
                items.Add(FromStored(kind, kv));
            }
            catch (CorruptResourceException e)
            {
                corrupt.Add(e);
            }
        }

        return new ResourceList(items, corrupt, list.Revision);
    }

    public async Task<OperationResult> CreateAsync(Resource resource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var kind = ResourceKinds.Of(resource);
        var r = Prepare(resource, kind);
        if (!string.IsNullOrEmpty(r.Metadata.ResourceVersion))
        {
            throw Invalid("Metadata.ResourceVersion", r.Metadata.ResourceVersion, "field must not be set for a Create request");
        }

        await CheckCrossObjectRulesAsync(r, kind, cancellationToken).ConfigureAwait(false);
        r.Metadata.Uid = Guid.NewGuid().ToString();
        r.Metadata.CreationTimestamp = Timestamp();

        if (!ResourceIdentity.IsCalicoKind(kind))
        {
            return await CreateKubernetesAsync(r, kind, cancellationToken).ConfigureAwait(false);
        }

        var key = ResourceIdentity.Key(kind, r.Metadata.Namespace, r.Metadata.Name!);
        var result = await Store.CreateAsync(key, ToStored(r, kind), cancellationToken).ConfigureAwait(false);
        if (result.Status == WriteStatus.AlreadyExists)
        {
            var existing = result.Current is null ? null : TryFromStored(kind, result.Current);
            var message = "resource already exists: " + ResourceIdentity.Describe(r);
            if (result.Current is not null && existing is null)
            {
                message += $" (its stored value {result.Current.Key} cannot be decoded: apply or replace overwrites it, delete removes it)";
            }

            return new OperationResult(OperationStatus.AlreadyExists, existing, message);
        }

        r.Metadata.ResourceVersion = result.Revision.ToString(CultureInfo.InvariantCulture);
        return OperationResult.Ok(r);
    }

    /// <summary>
    /// Replaces a resource whose <c>resourceVersion</c> must match the stored one (upstream's Update).
    /// A stale version is a <see cref="OperationStatus.Conflict"/>, never an overwrite.
    /// </summary>
    public async Task<OperationResult> UpdateAsync(Resource resource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var kind = ResourceKinds.Of(resource);
        var r = Prepare(resource, kind);
        if (string.IsNullOrEmpty(r.Metadata.ResourceVersion))
        {
            throw Invalid("Metadata.ResourceVersion", "", "field must be set for an Update request");
        }

        if (!long.TryParse(r.Metadata.ResourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var expected) || expected <= 0)
        {
            throw Invalid("Metadata.ResourceVersion", r.Metadata.ResourceVersion, "must be a positive integer revision");
        }

        Resource? current;
        try
        {
            current = await GetAsync(kind, r.Metadata.Namespace, r.Metadata.Name!, cancellationToken).ConfigureAwait(false);
        }
        catch (CorruptResourceException corrupt)
        {
            // Overwriting an unreadable value is how an operator repairs it: still compare-and-swap on the stored
            // revision (a concurrent repair wins once), with a new identity since the old one cannot be read.
            if (corrupt.Revision != expected)
            {
                return new OperationResult(OperationStatus.Conflict, null,
                    $"update conflict: {ResourceIdentity.Describe(r)}: resourceVersion '{r.Metadata.ResourceVersion}' is out of date (latest: {corrupt.Revision}, whose value cannot be decoded)");
            }

            current = null;
            r.Metadata.Uid = Guid.NewGuid().ToString();
            r.Metadata.CreationTimestamp = Timestamp();
            if (!ResourceIdentity.IsCalicoKind(kind))
            {
                return await UpdateKubernetesAsync(r, kind, expected, cancellationToken).ConfigureAwait(false);
            }

            var corruptKey = ResourceIdentity.Key(kind, r.Metadata.Namespace, r.Metadata.Name!);
            var repaired = await Store.UpdateAsync(corruptKey, ToStored(r, kind), expected, cancellationToken).ConfigureAwait(false);
            return WriteOutcome(repaired, r, kind);
        }

        if (current is null)
        {
            return NotFound(kind, r.Metadata.Namespace, r.Metadata.Name!);
        }

        if (current.Metadata.ResourceVersion != r.Metadata.ResourceVersion)
        {
            return Conflict(r, current);
        }

        ResourceValidator.ValidateUpdate(current, r);
        r.Metadata.Uid = current.Metadata.Uid;
        r.Metadata.CreationTimestamp = current.Metadata.CreationTimestamp;

        if (!ResourceIdentity.IsCalicoKind(kind))
        {
            return await UpdateKubernetesAsync(r, kind, expected, cancellationToken).ConfigureAwait(false);
        }

        var key = ResourceIdentity.Key(kind, r.Metadata.Namespace, r.Metadata.Name!);
        var result = await Store.UpdateAsync(key, ToStored(r, kind), expected, cancellationToken).ConfigureAwait(false);
        return WriteOutcome(result, r, kind);
    }

    /// <summary>Deletes a resource; with a <paramref name="resourceVersion"/> only if it is still that version.</summary>
    public async Task<OperationResult> DeleteAsync(ResourceKind kind, string? ns, string name, string? resourceVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ns = NamespaceFor(kind, ns);
        Resource? current;
        try
        {
            current = await GetAsync(kind, ns, name, cancellationToken).ConfigureAwait(false);
        }
        catch (CorruptResourceException corrupt)
        {
            return await DeleteCorruptAsync(kind, ns, name, resourceVersion, corrupt, cancellationToken).ConfigureAwait(false);
        }

        if (current is null || (kind.Kind == "Profile" && name == DefaultAllowProfileName))
        {
            return NotFound(kind, ns, name);
        }

        if (!string.IsNullOrEmpty(resourceVersion) && resourceVersion != current.Metadata.ResourceVersion)
        {
            return Conflict(current, current, resourceVersion);
        }

        var revision = long.Parse(current.Metadata.ResourceVersion!, CultureInfo.InvariantCulture);
        if (current is IPPool pool)
        {
            // Upstream never deletes a live pool outright: it disables it first so no new address is
            // handed out while it goes, then deletes (its blocks are released by IPAM).
            var disabled = await DisablePoolAsync(pool, revision, cancellationToken).ConfigureAwait(false);
            if (!disabled.Succeeded)
            {
                return disabled;
            }

            revision = long.Parse(disabled.Resource!.Metadata.ResourceVersion!, CultureInfo.InvariantCulture);
        }

        var result = await Store.DeleteAsync(ResourceIdentity.Key(kind, ns, name), revision, cancellationToken).ConfigureAwait(false);
        if (result.Status == WriteStatus.Ok && !ResourceIdentity.IsCalicoKind(kind))
        {
            await DeleteConvertedAsync(current, cancellationToken).ConfigureAwait(false);
        }

        return result.Status switch
        {
            WriteStatus.Ok => OperationResult.Ok(current),
            WriteStatus.NotFound => NotFound(kind, ns, name),
            _ => Conflict(current, result.Current is null ? current : TryFromStored(kind, result.Current)),
        };
    }

    /// <summary>
    /// Deleting an unreadable value is compare-and-swap on its stored revision (or the given version). The result
    /// carries just the kind and name: nothing else of it can be read. A corrupt IP pool is deleted without the
    /// disable step (there is no readable pool to disable; IPAM reads pools through the same decoder and skips it).
    /// </summary>
    private async Task<OperationResult> DeleteCorruptAsync(ResourceKind kind, string? ns, string name, string? resourceVersion, CorruptResourceException corrupt, CancellationToken cancellationToken)
    {
        var stub = ResourceCodec.FromJsonNode(new JsonObject
        {
            ["apiVersion"] = kind.ApiVersion,
            ["kind"] = kind.Kind,
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        });
        var stored = corrupt.Revision.ToString(CultureInfo.InvariantCulture);
        if (!string.IsNullOrEmpty(resourceVersion) && resourceVersion != stored)
        {
            return new OperationResult(OperationStatus.Conflict, null,
                $"update conflict: {ResourceIdentity.Describe(kind, ns, name)}: resourceVersion '{resourceVersion}' is out of date (latest: {stored}, whose value cannot be decoded)");
        }

        var result = await Store.DeleteAsync(corrupt.Key, corrupt.Revision, cancellationToken).ConfigureAwait(false);
        return result.Status switch
        {
            WriteStatus.Ok => OperationResult.Ok(WithVersion(stub, corrupt.Revision)),
            WriteStatus.NotFound => NotFound(kind, ns, name),
            _ => new OperationResult(OperationStatus.Conflict, null,
                $"update conflict: {ResourceIdentity.Describe(kind, ns, name)}: it changed while being deleted; get it again and retry"),
        };
    }

    private async Task<OperationResult> DisablePoolAsync(IPPool pool, long revision, CancellationToken cancellationToken)
    {
        if (pool.Spec.Disabled == true)
        {
            return OperationResult.Ok(pool);
        }

        var disabled = (IPPool)ResourceCodec.Clone(pool);
        disabled.Spec.Disabled = true;
        var key = ResourceIdentity.Key(ResourceKinds.Of(pool), null, pool.Metadata.Name!);
        var result = await Store.UpdateAsync(key, ToStored(disabled, ResourceKinds.Of(pool)), revision, cancellationToken).ConfigureAwait(false);
        return WriteOutcome(result, disabled, ResourceKinds.Of(pool));
    }

    /// <summary>
    /// First use initialises the datastore as upstream's EnsureInitialized does: ClusterInformation
    /// <c>default</c> with <c>datastoreReady: true</c> and the three built-in tiers. Idempotent.
    /// </summary>
    public async Task EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        var clusterInfo = new JsonObject
        {
            ["apiVersion"] = "projectcalico.org/v3",
            ["kind"] = "ClusterInformation",
            ["metadata"] = new JsonObject { ["name"] = "default" },
            ["spec"] = new JsonObject
            {
                ["clusterGUID"] = Guid.NewGuid().ToString("N"),
                ["calicoVersion"] = VersionInfo.Version,
                ["datastoreReady"] = true,
            },
        };
        await CreateIfMissingAsync(clusterInfo, cancellationToken).ConfigureAwait(false);
        await CreateIfMissingAsync(TierObject("kube-admin", 1_000, "Pass"), cancellationToken).ConfigureAwait(false);
        await CreateIfMissingAsync(TierObject("default", 1_000_000, "Deny"), cancellationToken).ConfigureAwait(false);
        await CreateIfMissingAsync(TierObject("kube-baseline", 10_000_000, "Pass"), cancellationToken).ConfigureAwait(false);
    }

    private async Task CreateIfMissingAsync(JsonObject node, CancellationToken cancellationToken)
    {
        var resource = ResourceCodec.FromJsonNode(node);
        var kind = ResourceKinds.Of(resource);
        Resource? existing;
        try
        {
            existing = await GetAsync(kind, null, resource.Metadata.Name!, cancellationToken).ConfigureAwait(false);
        }
        catch (CorruptResourceException)
        {
            return; // something is stored there: initialising never overwrites it; readers name the corrupt key
        }

        if (existing is null)
        {
            // A concurrent initialiser may win the race; AlreadyExists is then the expected outcome.
            await CreateAsync(resource, cancellationToken).ConfigureAwait(false);
        }
    }

    private static JsonObject TierObject(string name, double order, string defaultAction) => new()
    {
        ["apiVersion"] = "projectcalico.org/v3",
        ["kind"] = "Tier",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject { ["order"] = order, ["defaultAction"] = defaultAction },
    };

    private async Task CheckCrossObjectRulesAsync(Resource r, ResourceKind kind, CancellationToken cancellationToken)
    {
        switch (r)
        {
            case IPPool pool:
                await CheckPoolOverlapAsync(pool, kind, cancellationToken).ConfigureAwait(false);
                break;
            case NetworkPolicy np:
                await CheckTierExistsAsync(np.Spec.Tier, cancellationToken).ConfigureAwait(false);
                break;
            case GlobalNetworkPolicy gnp:
                await CheckTierExistsAsync(gnp.Spec.Tier, cancellationToken).ConfigureAwait(false);
                break;
            case StagedNetworkPolicy snp:
                // clientv3 checks a staged policy's tier as it does an enforced one's.
                await CheckTierExistsAsync(snp.Spec.Tier, cancellationToken).ConfigureAwait(false);
                break;
            case StagedGlobalNetworkPolicy sgnp:
                await CheckTierExistsAsync(sgnp.Spec.Tier, cancellationToken).ConfigureAwait(false);
                break;
            default:
                break;
        }
    }

    private async Task CheckPoolOverlapAsync(IPPool pool, ResourceKind kind, CancellationToken cancellationToken)
    {
        if (!Cidr.TryParse(pool.Spec.Cidr ?? "", out var cidr))
        {
            return; // the validator has already named a bad CIDR
        }

        // An unreadable pool cannot be checked against; readers name it, and it must not block every pool write.
        var pools = (await ListReadableAsync(kind, null, cancellationToken).ConfigureAwait(false)).Items;
        foreach (var other in pools)
        {
            var otherPool = (IPPool)other;
            if (otherPool.Metadata.Name == pool.Metadata.Name || !Cidr.TryParse(otherPool.Spec.Cidr ?? "", out var otherCidr))
            {
                continue;
            }

            if (Cidr.Overlaps(cidr, otherCidr))
            {
                throw Invalid("IPPool.Spec.CIDR", pool.Spec.Cidr,
                    $"IPPool({pool.Metadata.Name}) CIDR overlaps with IPPool({otherPool.Metadata.Name}) CIDR {otherPool.Spec.Cidr}");
            }
        }
    }

    private async Task CheckTierExistsAsync(string? tier, CancellationToken cancellationToken)
    {
        tier = string.IsNullOrEmpty(tier) ? "default" : tier;
        if (await GetAsync(ResourceKinds.Tier, null, tier, cancellationToken).ConfigureAwait(false) is null)
        {
            throw Invalid("Spec.Tier", tier, $"tier '{tier}' does not exist: create the Tier first");
        }
    }

    /// <summary>Defaults, validation and the metadata rules every write shares. Works on a copy.</summary>
    private static Resource Prepare(Resource resource, ResourceKind kind)
    {
        var r = ResourceCodec.Clone(resource);
        if (kind.Namespaced && string.IsNullOrEmpty(r.Metadata.Namespace))
        {
            r.Metadata.Namespace = "default";
        }
        else if (!kind.Namespaced)
        {
            r.Metadata.Namespace = null;
        }

        ResourceDefaults.Apply(r);
        if (r is WorkloadEndpoint wep)
        {
            // The client forces these two labels, as upstream's clientv3 does.
            wep.Metadata.Labels ??= new Dictionary<string, string>(StringComparer.Ordinal);
            wep.Metadata.Labels["projectcalico.org/namespace"] = wep.Metadata.Namespace!;
            wep.Metadata.Labels["projectcalico.org/orchestrator"] = wep.Spec.Orchestrator ?? "";
        }

        ResourceValidator.Validate(r);
        return r;
    }

    private static string? NamespaceFor(ResourceKind kind, string? ns) =>
        kind.Namespaced ? (string.IsNullOrEmpty(ns) ? "default" : ns) : null;

    private static ReadOnlyMemory<byte> ToStored(Resource r, ResourceKind kind)
    {
        var copy = ResourceCodec.Clone(r);
        copy.Metadata.ResourceVersion = null; // the revision is the version; storing it would go stale
        if (kind.Kind is "NetworkPolicy" or "GlobalNetworkPolicy")
        {
            copy.Metadata.Annotations ??= new Dictionary<string, string>(StringComparer.Ordinal);
            copy.Metadata.Annotations[PolicyMetadataAnnotation] = new JsonObject { ["name"] = copy.Metadata.Name }.ToJsonString();
        }

        return ResourceCodec.ToStorageJson(copy);
    }

    /// <summary>
    /// A stored value as every reader sees it (the same decoding as <see cref="GetAsync"/>): for agents that watch
    /// the store directly. Throws <see cref="CorruptResourceException"/> naming the key on bad data.
    /// </summary>
    public static Resource DecodeStored(ResourceKind kind, KeyValue kv)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(kv);
        return FromStored(kind, kv);
    }

    /// <summary>The Calico kind, namespace and name a store key names; false for keys outside the v3 resources root.</summary>
    public static bool TryParseKey(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ResourceKind? kind, out string? ns, out string name)
    {
        kind = null;
        if (!ResourceKeys.TryParse(key, out var plural, out ns, out name) || !ResourceKinds.TryResolve(plural, out kind) || !ResourceIdentity.IsCalicoKind(kind))
        {
            kind = null;
            return false;
        }

        return true;
    }

    /// <summary>The decoded value, or null when it cannot be read (for messages that merely show the current value).</summary>
    private static Resource? TryFromStored(ResourceKind kind, KeyValue kv)
    {
        try
        {
            return FromStored(kind, kv);
        }
        catch (CorruptResourceException)
        {
            return null;
        }
    }

    /// <summary>Throws <see cref="CorruptResourceException"/> naming the key when the value is not a readable resource.</summary>
    private static Resource FromStored(ResourceKind kind, KeyValue kv)
    {
        try
        {
            return Decode(kind, kv);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or ResourceDecodeException or NotSupportedException or InvalidOperationException or InvalidCastException or ArgumentException or FormatException or NullReferenceException)
        {
            throw new CorruptResourceException(kv.Key, kv.Revision, e.Message, e);
        }
    }

    private static Resource Decode(ResourceKind kind, KeyValue kv)
    {
        var r = ResourceCodec.FromStorageJson(kind, kv.Value) ?? throw new ResourceDecodeException("the value is JSON null");
        r.Metadata.ResourceVersion = kv.Revision.ToString(CultureInfo.InvariantCulture);
        if (r.Metadata.Annotations is { } annotations && annotations.Remove(PolicyMetadataAnnotation, out var meta))
        {
            if (ParseMetadataAnnotation(kind, meta) is JsonObject o && o["name"] is JsonValue v && v.TryGetValue<string>(out var name) && name.Length > 0)
            {
                r.Metadata.Name = name;
            }

            if (annotations.Count == 0)
            {
                r.Metadata.Annotations = null;
            }
        }

        return r;
    }

    // Stored data is untrusted: a malformed annotation is a decode error for this one value, never an escape.
    private static JsonNode? ParseMetadataAnnotation(ResourceKind kind, string meta)
    {
        try
        {
            return JsonNode.Parse(meta, documentOptions: new JsonDocumentOptions { MaxDepth = ResourceCodec.MaxDocumentDepth });
        }
        catch (JsonException e)
        {
            throw new ResourceDecodeException($"stored {kind.Kind} has an invalid {PolicyMetadataAnnotation} annotation: {e.Message}", null, e);
        }
    }

    private static OperationResult WriteOutcome(WriteResult result, Resource r, ResourceKind kind) => result.Status switch
    {
        WriteStatus.Ok => OperationResult.Ok(WithVersion(r, result.Revision)),
        WriteStatus.NotFound => NotFound(kind, r.Metadata.Namespace, r.Metadata.Name!),
        WriteStatus.AlreadyExists => new OperationResult(OperationStatus.AlreadyExists, null, "resource already exists: " + ResourceIdentity.Describe(r)),
        _ => Conflict(r, result.Current is null ? null : TryFromStored(kind, result.Current)),
    };

    private static Resource WithVersion(Resource r, long revision)
    {
        r.Metadata.ResourceVersion = revision.ToString(CultureInfo.InvariantCulture);
        return r;
    }

    private static OperationResult NotFound(ResourceKind kind, string? ns, string name) =>
        new(OperationStatus.NotFound, null, $"resource does not exist: {ResourceIdentity.Describe(kind, ns, name)} with error: <nil>");

    private static OperationResult Conflict(Resource attempted, Resource? current, string? attemptedVersion = null)
    {
        var version = attemptedVersion ?? attempted.Metadata.ResourceVersion;
        var latest = current?.Metadata.ResourceVersion ?? "none";
        return new OperationResult(OperationStatus.Conflict, current,
            $"update conflict: {ResourceIdentity.Describe(attempted)}: resourceVersion '{version}' is out of date (latest: {latest}); get the resource again and reapply your change");
    }

    private string Timestamp() =>
        timeProvider.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static ValidationException Invalid(string field, string? value, string reason) =>
        new([new FieldError(field, value, reason)]);

    private static Profile SynthesizedDefaultAllowProfile()
    {
        var node = new JsonObject
        {
            ["apiVersion"] = "projectcalico.org/v3",
            ["kind"] = "Profile",
            ["metadata"] = new JsonObject { ["name"] = DefaultAllowProfileName },
            ["spec"] = new JsonObject
            {
                ["ingress"] = new JsonArray(new JsonObject { ["action"] = "Allow" }),
                ["egress"] = new JsonArray(new JsonObject { ["action"] = "Allow" }),
            },
        };
        return (Profile)ResourceCodec.FromJsonNode(node);
    }
}
