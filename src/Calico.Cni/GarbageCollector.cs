using System.Text.Json;
using Calico.Api;
using Calico.Datastore;

namespace Calico.Cni;

/// <summary>
/// CNI GC: releases the addresses of this network's handles (<c>&lt;network&gt;.&lt;containerID&gt;</c>) allocated on
/// this node whose container is not among <c>cni.dev/valid-attachments</c>, and deletes this node's plain-CNI
/// endpoints of this network for such containers. Handles of other nodes are never touched: the block
/// attributes say which node an allocation belongs to.
/// </summary>
internal sealed class GarbageCollector(CniSession session)
{
    public async Task CollectAsync(bool endpoints, CancellationToken cancellationToken)
    {
        var valid = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (containerId, _) in session.Conf.ValidAttachments ?? [])
        {
            valid.Add(containerId);
        }

        var prefix = session.Conf.Name + ".";
        foreach (var handle in await HandlesOnThisNodeAsync(cancellationToken).ConfigureAwait(false))
        {
            if (handle.StartsWith(prefix, StringComparison.Ordinal) && !valid.Contains(handle[prefix.Length..]))
            {
                await using var held = await IpamLock.AcquireAsync(session.Conf.IpamLockFile, IpamLock.DefaultTimeout, session.Time, cancellationToken).ConfigureAwait(false);
                await session.Ipam.ReleaseByHandleAsync(handle, cancellationToken).ConfigureAwait(false);
                Log.GcReleased(session.Logger, handle);
            }
        }

        if (!endpoints)
        {
            return;
        }

        var (items, _) = await session.Resources.ListAsync(ResourceKinds.WorkloadEndpoint, null, cancellationToken).ConfigureAwait(false);
        foreach (var item in items)
        {
            if (item is WorkloadEndpoint wep
                && wep.Spec.Node == session.Node
                && wep.Spec.Orchestrator == WorkloadIdentity.OrchestratorCni
                && wep.Spec.Profiles is { } profiles && profiles.Contains(session.Conf.Name)
                && !valid.Contains(wep.Spec.ContainerID ?? ""))
            {
                await session.Resources.DeleteAsync(ResourceKinds.WorkloadEndpoint, wep.Metadata.Namespace, wep.Metadata.Name!, wep.Metadata.ResourceVersion, cancellationToken).ConfigureAwait(false);
                Log.GcDeletedEndpoint(session.Logger, wep.Metadata.Namespace ?? "", wep.Metadata.Name!);
            }
        }
    }

    /// <summary>Handle ids with an allocation whose owner attribute <c>node</c> is this node (upstream block JSON).</summary>
    private async Task<HashSet<string>> HandlesOnThisNodeAsync(CancellationToken cancellationToken)
    {
        var handles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var version in (int[])[4, 6])
        {
            var blocks = await session.Store.ListAsync(ResourceKeys.IpamBlockPrefix(version), cancellationToken).ConfigureAwait(false);
            foreach (var block in blocks.Items)
            {
                using var document = JsonDocument.Parse(block.Value);
                if (!document.RootElement.TryGetProperty("attributes", out var attributes) || attributes.ValueKind != JsonValueKind.Array)
                {
                    continue;
                }

                foreach (var attribute in attributes.EnumerateArray())
                {
                    if (attribute.TryGetProperty("handle_id", out var id) && id.ValueKind == JsonValueKind.String
                        && attribute.TryGetProperty("secondary", out var secondary) && secondary.ValueKind == JsonValueKind.Object
                        && secondary.TryGetProperty("node", out var node) && node.ValueKind == JsonValueKind.String
                        && node.GetString() == session.Node)
                    {
                        handles.Add(id.GetString()!);
                    }
                }
            }
        }

        return handles;
    }
}
