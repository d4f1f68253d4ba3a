namespace Calico.Felix.Dataplane.Vxlan;

/// <summary>
/// The desired VXLAN overlay of one address family, whole: this node's VTEP (null = VXLAN off: the device and its
/// routes go), the other nodes' VTEPs and blocks (entries of the other family are ignored), and CrossSubnet mode.
/// </summary>
public sealed record VxlanOverlay(
    LocalVtep? Local,
    IReadOnlyCollection<RemoteVtep> RemoteVteps,
    IReadOnlyCollection<RemoteBlock> RemoteBlocks,
    bool CrossSubnet = false)
{
    /// <summary>No VXLAN of this family.</summary>
    public static VxlanOverlay Off { get; } = new(null, [], []);
}
