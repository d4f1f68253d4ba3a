namespace Calico.Bird;

/// <summary>
/// A workload on this node that a BGPPeer's <c>localWorkloadSelector</c> selects: BIRD opens a passive session to
/// each of its addresses (first IPv4 and first IPv6 of <c>ipNetworks</c>, as upstream) and calico-node puts the
/// BGPConfiguration's <c>localWorkloadPeeringIPV4/IPV6</c> on the host side of <see cref="InterfaceName"/> so the
/// workload can dial it.
/// </summary>
/// <param name="Workload">The endpoint's name (for logs).</param>
/// <param name="InterfaceName">The host-side interface (<c>spec.interfaceName</c>); empty when the endpoint has none.</param>
/// <param name="PeerName">The BGPPeer that won (first by name when several select the workload, as upstream's Felix).</param>
/// <param name="AsNumber">The workload's AS (the BGPPeer's <c>asNumber</c>).</param>
/// <param name="LocalAsNumber">The BGPPeer's <c>localASNumber</c>, if set.</param>
/// <param name="Ipv4">The workload's IPv4 address, if any.</param>
/// <param name="Ipv6">The workload's IPv6 address, if any.</param>
public sealed record LocalWorkloadPeer(
    string Workload,
    string InterfaceName,
    string PeerName,
    uint AsNumber,
    uint? LocalAsNumber,
    string? Ipv4,
    string? Ipv6);
