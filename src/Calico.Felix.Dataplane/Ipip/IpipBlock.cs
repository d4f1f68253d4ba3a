using System.Net;

namespace Calico.Felix.Dataplane.Ipip;

/// <summary>
/// A block of an IP-in-IP pool affine to another node, routed to that node's IPv4 address: through <c>tunl0</c>
/// (onlink), or, when <see cref="CrossSubnet"/> (the pool's ipipMode) and the node shares a subnet with the parent,
/// natively through the parent.
/// </summary>
public sealed record IpipBlock(IPNetwork Cidr, string Node, IPAddress NodeAddress, bool CrossSubnet);
