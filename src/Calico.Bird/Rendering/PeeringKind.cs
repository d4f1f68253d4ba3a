namespace Calico.Bird.Rendering;

/// <summary>Where a peering came from; also the protocol-name prefix <c>calicoctl node status</c> decodes.</summary>
internal enum PeeringKind
{
    Mesh,
    Global,
    Node,

    /// <summary>A workload on this node (BGPPeer <c>localWorkloadSelector</c>): <c>Local_Workload_&lt;ip&gt;</c>.</summary>
    LocalWorkload,
}
