namespace Calico.Bird.Rendering;

/// <summary>Where a peering came from; also the protocol-name prefix <c>calicoctl node status</c> decodes.</summary>
internal enum PeeringKind
{
    Mesh,
    Global,
    Node,
}
