namespace Calico.Lifecycle;

/// <summary>
/// The steps of <see cref="NodeDeletion"/>, in the order they run (upstream clientv3 nodes.Delete, plus handles and
/// CalicoNodeStatus). The Node goes last, so a run stopped anywhere before it finds the Node again and redoes the rest.
/// </summary>
public enum NodeDeletionStep
{
    /// <summary>Release the node's addresses: its workload endpoints', its tunnel addresses, and every allocation whose attributes name the node.</summary>
    ReleaseAddresses,

    /// <summary>Release and delete the node's handles (tunnel handles, its workloads' handles) once they hold no address.</summary>
    ReleaseHandles,

    /// <summary>Delete the workload endpoints whose spec.node is the node.</summary>
    DeleteWorkloadEndpoints,

    /// <summary>Release the node's block affinities (empty blocks are deleted) and its IPAM host record.</summary>
    RemoveIpamHost,

    /// <summary>Delete the BGPPeers whose spec.node is the node.</summary>
    DeleteBgpPeers,

    /// <summary>Delete FelixConfiguration <c>node.&lt;name&gt;</c>.</summary>
    DeleteFelixConfiguration,

    /// <summary>Delete BGPConfiguration <c>node.&lt;name&gt;</c>.</summary>
    DeleteBgpConfiguration,

    /// <summary>Delete the host endpoints whose spec.node is the node.</summary>
    DeleteHostEndpoints,

    /// <summary>Delete the CalicoNodeStatus objects whose spec.node is the node.</summary>
    DeleteNodeStatuses,

    /// <summary>Delete the Node itself.</summary>
    DeleteNode,
}
