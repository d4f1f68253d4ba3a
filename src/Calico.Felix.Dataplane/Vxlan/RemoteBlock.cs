using System.Net;

namespace Calico.Felix.Dataplane.Vxlan;

/// <summary>An IPAM block (or any CIDR) affine to another node: routed to that node's VTEP.</summary>
public sealed record RemoteBlock(IPNetwork Cidr, string Node);
