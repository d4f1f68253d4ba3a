using Calico.Api;
using Calico.Client;
using Calico.Ipam;

namespace Calico.Lifecycle;

/// <summary>
/// Deleting a Node as upstream's clientv3 nodes.Delete does, so nothing of the node is left behind: its addresses
/// (workload, tunnel, and leaked ones whose IPAM attributes name it) and handles, its workload endpoints, its block
/// affinities (empty blocks deleted), its IPAM host record, its node-scoped BGPPeers, <c>node.&lt;name&gt;</c>
/// FelixConfiguration and BGPConfiguration, host endpoints and CalicoNodeStatus objects, then the Node. Every step
/// is idempotent and the Node goes last, so a run stopped at any point (crash, kill, datastore down) is completed
/// by running it again. Used by <c>calicoctl delete node</c> and calico-kube-controllers. See DESIGN.md.
/// </summary>
public static class NodeDeletion
{
    public static Task<NodeDeletionResult> RunAsync(ResourceClient resources, IpamClient ipam, string nodeName, CancellationToken cancellationToken) =>
        RunAsync(resources, ipam, nodeName, NodeDeletionOptions.Default, cancellationToken);

    /// <summary>
    /// Runs every step for <paramref name="nodeName"/>. Expected outcomes (no such Node, a stale resourceVersion) come
    /// back in <see cref="NodeDeletionResult.Node"/>; an invalid name throws <see cref="ValidationException"/> before
    /// anything is read; the datastore's failures propagate (run again to finish).
    /// </summary>
    public static Task<NodeDeletionResult> RunAsync(ResourceClient resources, IpamClient ipam, string nodeName, NodeDeletionOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentNullException.ThrowIfNull(ipam);
        ArgumentNullException.ThrowIfNull(options);
        ValidateName(nodeName);
        return new NodeDeletionRun(resources, ipam, nodeName, options).RunAsync(cancellationToken);
    }

    /// <summary>The IPAM handles upstream's calico-node names after the node for its tunnel addresses.</summary>
    public static IReadOnlyList<string> TunnelHandles(string nodeName) =>
    [
        "ipip-tunnel-addr-" + nodeName,
        "vxlan-tunnel-addr-" + nodeName,
        "vxlan-v6-tunnel-addr-" + nodeName,
        "wireguard-tunnel-addr-" + nodeName,
        "wireguard-v6-tunnel-addr-" + nodeName,
    ];

    internal static void ValidateName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('/', StringComparison.Ordinal))
        {
            throw new ValidationException([new FieldError("Metadata.Name", name ?? "", "a node name must be non-empty and contain no '/'")]);
        }
    }
}
