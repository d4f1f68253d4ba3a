using System.Text.Json.Nodes;
using Calico.Api;
using Calico.Client;

namespace Calico.Lab.Cluster;

/// <summary>
/// The lab's resources before a case, so the case's own can be removed afterwards (policies first, namespaces
/// last) and changed ones put back. Endpoints, nodes and derived profiles are the CNI plugin's and calico-node's.
/// </summary>
internal sealed class StoreSnapshot
{
    private readonly Dictionary<string, Resource> _before;

    private StoreSnapshot(Dictionary<string, Resource> before)
    {
        _before = before;
    }

    public static async Task<StoreSnapshot> TakeAsync(ResourceClient client, CancellationToken cancellationToken)
    {
        var all = await client.ListAllAsync(cancellationToken).ConfigureAwait(false);
        return new StoreSnapshot(all.Where(Managed).ToDictionary(Key, r => r, StringComparer.Ordinal));
    }

    public async Task RestoreAsync(ResourceClient client, CancellationToken cancellationToken)
    {
        var now = (await client.ListAllAsync(cancellationToken).ConfigureAwait(false)).Where(Managed).ToList();
        var added = now.Where(r => !_before.ContainsKey(Key(r)))
            .OrderBy(r => ResourceKinds.Of(r).Kind.Contains("Policy", StringComparison.Ordinal) ? 0 : r is KubernetesNamespace ? 2 : 1)
            .ToList();
        foreach (var resource in added)
        {
            var kind = ResourceKinds.Of(resource);
            var result = await client.DeleteAsync(kind, kind.Namespaced ? resource.Metadata.Namespace : null, resource.Metadata.Name ?? "", null, cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded && result.Status != OperationStatus.NotFound)
            {
                throw new LabException($"cannot remove {ResourceIdentity.Describe(resource)} after the case: {result.Message}");
            }
        }

        foreach (var current in now)
        {
            if (!_before.TryGetValue(Key(current), out var before) || Content(before) == Content(current))
            {
                continue;
            }

            var restored = ResourceCodec.Clone(before);
            restored.Metadata.ResourceVersion = current.Metadata.ResourceVersion;
            var result = await client.UpdateAsync(restored, cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw new LabException($"cannot restore {ResourceIdentity.Describe(current)} after the case: {result.Message}");
            }
        }

        // Deleted during the case: put back.
        var present = now.Select(Key).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, before) in _before)
        {
            if (present.Contains(key))
            {
                continue;
            }

            var copy = ResourceCodec.Clone(before);
            copy.Metadata.ResourceVersion = null;
            var result = await client.CreateAsync(copy, cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw new LabException($"cannot restore {ResourceIdentity.Describe(before)} after the case: {result.Message}");
            }
        }
    }

    private static bool Managed(Resource resource)
    {
        var kind = ResourceKinds.Of(resource);
        return !kind.ReadOnly && kind != ResourceKinds.WorkloadEndpoint && kind != ResourceKinds.Node && kind != ResourceKinds.Profile;
    }

    private static string Key(Resource resource)
    {
        var kind = ResourceKinds.Of(resource);
        return kind.Kind + "/" + (kind.Namespaced ? resource.Metadata.Namespace : "") + "/" + resource.Metadata.Name;
    }

    /// <summary>Labels, annotations and spec: what a case can change.</summary>
    private static string Content(Resource resource)
    {
        var node = ResourceCodec.ToJsonNode(resource);
        var metadata = node["metadata"] as JsonObject;
        return new JsonObject
        {
            ["labels"] = metadata?["labels"]?.DeepClone(),
            ["annotations"] = metadata?["annotations"]?.DeepClone(),
            ["spec"] = node["spec"]?.DeepClone(),
        }.ToJsonString();
    }
}
