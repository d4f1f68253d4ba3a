using System.Globalization;
using Calico.Api;
using Calico.Datastore;

namespace Calico.Client;

/// <summary>
/// Kubernetes kinds without a Kubernetes API server: the object itself is kept (so the user gets it back in
/// its own kind) and the Calico object upstream's controllers would derive from it is written beside it
/// (Kubernetes NetworkPolicy -> NetworkPolicy <c>knp.default.&lt;name&gt;</c>; Namespace -> Profile
/// <c>kns.&lt;name&gt;</c>). Agents read only the Calico objects, exactly as with upstream in etcd mode.
/// </summary>
public sealed partial class ResourceClient
{
    private async Task<OperationResult> CreateKubernetesAsync(Resource r, ResourceKind kind, CancellationToken cancellationToken)
    {
        var converted = Convert(r);
        var key = ResourceIdentity.Key(kind, r.Metadata.Namespace, r.Metadata.Name!);
        var result = await Store.CreateAsync(key, ResourceCodec.ToStorageJson(WithoutVersion(r)), cancellationToken).ConfigureAwait(false);
        if (result.Status == WriteStatus.AlreadyExists)
        {
            return new OperationResult(OperationStatus.AlreadyExists, null, "resource already exists: " + ResourceIdentity.Describe(r));
        }

        await PutConvertedAsync(converted, r, cancellationToken).ConfigureAwait(false);
        r.Metadata.ResourceVersion = result.Revision.ToString(CultureInfo.InvariantCulture);
        return OperationResult.Ok(r);
    }

    private async Task<OperationResult> UpdateKubernetesAsync(Resource r, ResourceKind kind, long expected, CancellationToken cancellationToken)
    {
        var converted = Convert(r);
        var key = ResourceIdentity.Key(kind, r.Metadata.Namespace, r.Metadata.Name!);
        var result = await Store.UpdateAsync(key, ResourceCodec.ToStorageJson(WithoutVersion(r)), expected, cancellationToken).ConfigureAwait(false);
        if (result.Status != WriteStatus.Ok)
        {
            return WriteOutcome(result, r, kind);
        }

        await PutConvertedAsync(converted, r, cancellationToken).ConfigureAwait(false);
        r.Metadata.ResourceVersion = result.Revision.ToString(CultureInfo.InvariantCulture);
        return OperationResult.Ok(r);
    }

    private async Task DeleteConvertedAsync(Resource original, CancellationToken cancellationToken)
    {
        var converted = Convert(original);
        var kind = ResourceKinds.Of(converted);
        await Store.DeleteAsync(ResourceIdentity.Key(kind, converted.Metadata.Namespace, converted.Metadata.Name!), 0, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The derived object is written unconditionally (it is a pure function of its source, as the
    /// controller's reconcile would make it) and carries the source's identity.
    /// </summary>
    private async Task PutConvertedAsync(Resource converted, Resource source, CancellationToken cancellationToken)
    {
        converted.Metadata.Uid = source.Metadata.Uid;
        converted.Metadata.CreationTimestamp = source.Metadata.CreationTimestamp;
        var kind = ResourceKinds.Of(converted);
        var key = ResourceIdentity.Key(kind, converted.Metadata.Namespace, converted.Metadata.Name!);
        var result = await Store.UpdateAsync(key, ToStored(converted, kind), 0, cancellationToken).ConfigureAwait(false);
        if (result.Status != WriteStatus.Ok)
        {
            throw new DatastoreUnavailableException($"writing {ResourceIdentity.Describe(converted)} derived from {ResourceIdentity.Describe(source)} failed: {result.Status}");
        }
    }

    private static Resource Convert(Resource r)
    {
        Resource converted = r switch
        {
            KubernetesNetworkPolicy knp => KubernetesConversion.ToCalicoPolicy(knp),
            KubernetesNamespace ns => KubernetesConversion.ToProfile(ns),
            _ => throw new InvalidOperationException($"no conversion for kind {r.Kind}"),
        };
        ResourceDefaults.Apply(converted);
        ResourceValidator.Validate(converted);
        return converted;
    }

    private static Resource WithoutVersion(Resource r)
    {
        var copy = ResourceCodec.Clone(r);
        copy.Metadata.ResourceVersion = null;
        return copy;
    }
}
