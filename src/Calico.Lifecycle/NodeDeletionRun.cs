using System.Net;
using Calico.Api;
using Calico.Client;
using Calico.Ipam;

namespace Calico.Lifecycle;

/// <summary>One run of <see cref="NodeDeletion"/>: the steps in order, each reading the datastore afresh.</summary>
internal sealed partial class NodeDeletionRun(ResourceClient resources, IpamClient ipam, string nodeName, NodeDeletionOptions options)
{
    /// <summary>A delete that loses to a concurrent update re-reads and tries again this many times.</summary>
    private const int DeleteAttempts = 5;

    private readonly List<string> _deleted = [];
    private readonly List<IPAddress> _released = [];
    private readonly List<IPAddress> _skipped = [];
    private readonly List<string> _deletedHandles = [];
    private readonly HashSet<string> _handles = new(StringComparer.Ordinal);
    private readonly HashSet<string> _affineBlocks = new(StringComparer.Ordinal);
    private Node? _node;
    private List<WorkloadEndpoint> _endpoints = [];

    public async Task<NodeDeletionResult> RunAsync(CancellationToken ct)
    {
        try
        {
            _node = await resources.GetAsync(ResourceKinds.Node, null, nodeName, ct).ConfigureAwait(false) as Node;
        }
        catch (CorruptResourceException)
        {
            // Its tunnel fields cannot be read; the attribute scan still finds its addresses, and the final delete
            // removes the unreadable value.
            _node = null;
        }

        if (options.ResourceVersion is { Length: > 0 } version && _node is not null && _node.Metadata.ResourceVersion != version)
        {
            // Same message as any stale delete; nothing is touched.
            var conflict = await resources.DeleteAsync(ResourceKinds.Node, null, nodeName, version, ct).ConfigureAwait(false);
            return Result(conflict);
        }

        var endpoints = await resources.ListReadableAsync(ResourceKinds.WorkloadEndpoint, null, ct).ConfigureAwait(false);
        _endpoints = [.. endpoints.Items.OfType<WorkloadEndpoint>().Where(w => string.Equals(w.Spec.Node, nodeName, StringComparison.Ordinal))];

        Step(NodeDeletionStep.ReleaseAddresses);
        await ReleaseAddressesAsync(ct).ConfigureAwait(false);

        Step(NodeDeletionStep.ReleaseHandles);
        await ReleaseHandlesAsync(ct).ConfigureAwait(false);

        Step(NodeDeletionStep.DeleteWorkloadEndpoints);
        foreach (var wep in _endpoints)
        {
            await DeleteAsync(ResourceKinds.WorkloadEndpoint, wep.Metadata.Namespace, wep.Metadata.Name!, ct).ConfigureAwait(false);
        }

        Step(NodeDeletionStep.RemoveIpamHost);
        var blocks = await ipam.RemoveHostAsync(nodeName, ct).ConfigureAwait(false);
        LifecycleLog.HostRemoved(options.Logger, nodeName, blocks.DeletedBlocks.Count, blocks.UnaffinedBlocks.Count);

        Step(NodeDeletionStep.DeleteBgpPeers);
        await DeleteNodeScopedAsync(ResourceKinds.BGPPeer, r => (r as BGPPeer)?.Spec.Node, ct).ConfigureAwait(false);

        Step(NodeDeletionStep.DeleteFelixConfiguration);
        await DeleteAsync(ResourceKinds.FelixConfiguration, null, "node." + nodeName, ct).ConfigureAwait(false);

        Step(NodeDeletionStep.DeleteBgpConfiguration);
        await DeleteAsync(ResourceKinds.BGPConfiguration, null, "node." + nodeName, ct).ConfigureAwait(false);

        Step(NodeDeletionStep.DeleteHostEndpoints);
        await DeleteNodeScopedAsync(ResourceKinds.HostEndpoint, r => (r as HostEndpoint)?.Spec.Node, ct).ConfigureAwait(false);

        Step(NodeDeletionStep.DeleteNodeStatuses);
        await DeleteNodeScopedAsync(ResourceKinds.CalicoNodeStatus, r => (r as CalicoNodeStatus)?.Spec.Node, ct).ConfigureAwait(false);

        Step(NodeDeletionStep.DeleteNode);
        var deleted = await resources.DeleteAsync(ResourceKinds.Node, null, nodeName, options.ResourceVersion, ct).ConfigureAwait(false);
        if (deleted.Succeeded)
        {
            _deleted.Add(ResourceIdentity.Describe(ResourceKinds.Node, null, nodeName));
        }

        LifecycleLog.NodeDeleted(options.Logger, nodeName, deleted.Status.ToString(), _released.Count, _deleted.Count);
        return Result(deleted, blocks);
    }

    private NodeDeletionResult Result(OperationResult node, AffinityReleaseResult? blocks = null) => new()
    {
        NodeName = nodeName,
        Node = node,
        ReleasedAddresses = _released,
        SkippedAddresses = _skipped,
        DeletedHandles = _deletedHandles,
        Blocks = blocks ?? AffinityReleaseResult.None,
        DeletedResources = _deleted,
    };

    private void Step(NodeDeletionStep step)
    {
        LifecycleLog.Step(options.Logger, nodeName, step.ToString());
        options.BeforeStep?.Invoke(step);
    }

    /// <summary>Deletes every resource of a kind whose spec.node is this node (an exact match: node "a" is not "a-1").</summary>
    private async Task DeleteNodeScopedAsync(ResourceKind kind, Func<Resource, string?> nodeOf, CancellationToken ct)
    {
        var list = await resources.ListReadableAsync(kind, null, ct).ConfigureAwait(false);
        foreach (var r in list.Items)
        {
            if (string.Equals(nodeOf(r), nodeName, StringComparison.Ordinal))
            {
                await DeleteAsync(kind, r.Metadata.Namespace, r.Metadata.Name!, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Deletes one resource; absent is fine (an earlier run got it), a concurrent update is retried.</summary>
    private async Task DeleteAsync(ResourceKind kind, string? ns, string name, CancellationToken ct)
    {
        for (int attempt = 0; ; attempt++)
        {
            var result = await resources.DeleteAsync(kind, ns, name, null, ct).ConfigureAwait(false);
            if (result.Succeeded)
            {
                _deleted.Add(ResourceIdentity.Describe(kind, ns, name));
                LifecycleLog.ResourceDeleted(options.Logger, nodeName, ResourceIdentity.Describe(kind, ns, name));
                return;
            }

            if (result.Status == OperationStatus.NotFound)
            {
                return;
            }

            if (attempt + 1 == DeleteAttempts)
            {
                throw new LifecycleException($"cannot delete {ResourceIdentity.Describe(kind, ns, name)} of node {nodeName}: {result.Message}");
            }
        }
    }
}
