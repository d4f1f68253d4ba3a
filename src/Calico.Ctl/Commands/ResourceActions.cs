using Calico.Api;
using Calico.Client;
using Calico.Datastore;

namespace Calico.Ctl.Commands;

/// <summary>
/// One resource through one action with upstream's resource-manager semantics (apply = create, else update;
/// update without a resourceVersion = get, merge, update, retried on conflict). Failures come back as the
/// message upstream prints for them.
/// </summary>
internal static class ResourceActions
{
    private const int UpdateAttempts = 5;

    /// <param name="warnings">Receives the ignored-setting warnings of a resource that is written (or validated).</param>
    public static async Task<(Resource? Result, string? Error)> RunAsync(string action, ResourceClient client, Resource resource, CrudOptions options, CancellationToken cancellationToken, List<string>? warnings = null)
    {
        var kind = ResourceKinds.Of(resource);
        if (NamespaceError(resource, kind, options) is { } nsError)
        {
            return (null, nsError);
        }

        if (kind.ReadOnly && action is "apply" or "create" or "replace" or "delete")
        {
            return (null, $"operation {action} is not supported on {kind.Kind}: resource is readonly");
        }

        IReadOnlyList<string> ignored = [];
        if (action is "create" or "apply" or "replace" or "validate" && IsValid(resource) && SupportGate.Check(resource, out ignored) is { } refusal)
        {
            return (null, refusal);
        }

        var outcome = await RunCheckedAsync(action, client, resource, kind, options, cancellationToken).ConfigureAwait(false);
        if (outcome.Error is null)
        {
            warnings?.AddRange(ignored);
        }

        return outcome;
    }

    private static async Task<(Resource? Result, string? Error)> RunCheckedAsync(string action, ResourceClient client, Resource resource, ResourceKind kind, CrudOptions options, CancellationToken cancellationToken)
    {
        try
        {
            switch (action)
            {
                case "create":
                {
                    var r = await client.CreateAsync(resource, cancellationToken).ConfigureAwait(false);
                    if (r.Status == OperationStatus.AlreadyExists && options.SkipExists)
                    {
                        return (resource, null);
                    }

                    return r.Succeeded ? (r.Resource, null) : (null, r.Message);
                }

                case "apply":
                {
                    var originalVersion = resource.Metadata.ResourceVersion;
                    var forCreate = ResourceCodec.Clone(resource);
                    forCreate.Metadata.ResourceVersion = null;
                    var r = await client.CreateAsync(forCreate, cancellationToken).ConfigureAwait(false);
                    if (r.Status != OperationStatus.AlreadyExists)
                    {
                        return r.Succeeded ? (r.Resource, null) : (null, r.Message);
                    }

                    var forUpdate = ResourceCodec.Clone(resource);
                    forUpdate.Metadata.ResourceVersion = originalVersion;
                    return await UpdateAsync(client, forUpdate, cancellationToken).ConfigureAwait(false);
                }

                case "replace":
                    return await UpdateAsync(client, resource, cancellationToken).ConfigureAwait(false);

                case "delete":
                {
                    // A Node or an IPPool goes with everything that depends on it, as upstream's clientv3 deletes them.
                    var r = LifecycleDeletes.Handles(kind)
                        ? await LifecycleDeletes.DeleteAsync(client, kind, resource.Metadata.Name ?? "", resource.Metadata.ResourceVersion, cancellationToken).ConfigureAwait(false)
                        : await client.DeleteAsync(kind, resource.Metadata.Namespace, resource.Metadata.Name ?? "", resource.Metadata.ResourceVersion, cancellationToken).ConfigureAwait(false);
                    if (r.Status == OperationStatus.NotFound && options.SkipNotExists)
                    {
                        return (resource, null);
                    }

                    return r.Succeeded ? (r.Resource, null) : (null, r.Message);
                }

                case "validate":
                    ResourceDefaults.Apply(resource);
                    ResourceValidator.Validate(resource);
                    return (resource, null);

                default:
                    throw new InvalidOperationException("unknown action " + action);
            }
        }
        catch (ValidationException e)
        {
            return (null, e.Message);
        }
        catch (DatastoreUnavailableException e)
        {
            return (null, e.Message);
        }
        catch (CorruptResourceException e)
        {
            return (null, e.Message);
        }
    }

    /// <summary>
    /// With a resourceVersion the update is compare-and-swap and a stale version is a conflict, never an
    /// overwrite. Without one, the current version is fetched and the update retried on conflict.
    /// </summary>
    public static async Task<(Resource? Result, string? Error)> UpdateAsync(ResourceClient client, Resource resource, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(resource.Metadata.ResourceVersion))
        {
            var r = await client.UpdateAsync(resource, cancellationToken).ConfigureAwait(false);
            return r.Succeeded ? (r.Resource, null) : (null, r.Message);
        }

        var kind = ResourceKinds.Of(resource);
        OperationResult? last = null;
        for (var attempt = 0; attempt < UpdateAttempts; attempt++)
        {
            string? currentVersion;
            try
            {
                var current = await client.GetAsync(kind, resource.Metadata.Namespace, resource.Metadata.Name ?? "", cancellationToken).ConfigureAwait(false);
                if (current is null)
                {
                    return (null, $"resource does not exist: {ResourceIdentity.Describe(kind, NamespaceOf(kind, resource), resource.Metadata.Name ?? "")} with error: <nil>");
                }

                currentVersion = current.Metadata.ResourceVersion;
            }
            catch (CorruptResourceException e)
            {
                // apply/replace over an unreadable value is the repair: compare-and-swap on its stored revision.
                currentVersion = e.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            var attemptResource = ResourceCodec.Clone(resource);
            attemptResource.Metadata.ResourceVersion = currentVersion;
            last = await client.UpdateAsync(attemptResource, cancellationToken).ConfigureAwait(false);
            if (last.Status != OperationStatus.Conflict)
            {
                return last.Succeeded ? (last.Resource, null) : (null, last.Message);
            }
        }

        return (null, "failed to update the resource: " + last?.Message);
    }

    /// <summary>An invalid resource is reported by validation first, as before; the support check is for valid ones.</summary>
    private static bool IsValid(Resource resource)
    {
        try
        {
            var copy = ResourceCodec.Clone(resource);
            ResourceDefaults.Apply(copy);
            ResourceValidator.Validate(copy);
            return true;
        }
        catch (ValidationException)
        {
            return false;
        }
    }

    private static string? NamespaceOf(ResourceKind kind, Resource r) =>
        kind.Namespaced ? (string.IsNullOrEmpty(r.Metadata.Namespace) ? "default" : r.Metadata.Namespace) : null;

    /// <summary>Upstream's handleNamespace: fills the namespace from -n or "default", and rejects mismatches.</summary>
    public static string? NamespaceError(Resource resource, ResourceKind kind, CrudOptions options)
    {
        var cliNs = options.Namespace ?? "";
        var resNs = resource.Metadata.Namespace ?? "";
        if (kind.Namespaced)
        {
            if (options.AllNamespaces && cliNs.Length > 0)
            {
                return "cannot use both --namespace and --all-namespaces flags at the same time";
            }

            if (resNs.Length == 0 && cliNs.Length > 0)
            {
                resource.Metadata.Namespace = cliNs;
            }
            else if (resNs.Length > 0 && options.AllNamespaces)
            {
                resource.Metadata.Namespace = "";
            }
            else if (resNs.Length == 0 && !options.AllNamespaces)
            {
                resource.Metadata.Namespace = "default";
            }
            else if (resNs.Length > 0 && cliNs.Length > 0 && resNs != cliNs)
            {
                return $"resource namespace does not match client namespace. {resNs} != {cliNs}";
            }

            return null;
        }

        if (resNs.Length > 0)
        {
            return $"namespace should not be specified for a non-namespaced resource. {kind.Kind} is not a namespaced resource";
        }

        return options.AllNamespaces || cliNs.Length > 0 ? $"{kind.Kind} is not namespaced" : null;
    }
}
