using System.Net;

namespace Calico.Felix.Dataplane.Ipip;

/// <summary>
/// This node's end of IP-in-IP: its IPv4 underlay address (Node <c>spec.bgp.ipv4Address</c>; the interface holding it is
/// the parent, whose subnets decide CrossSubnet), the tunnel address put on <c>tunl0</c> as a /32 (Node
/// <c>spec.bgp.ipv4IPIPTunnelAddr</c>; null until allocated: the device then has no address, routes are still
/// programmed), and the device MTU (FelixConfiguration <c>ipipMTU</c>; 0 = the parent's MTU minus 20).
/// </summary>
public sealed record IpipLocal(IPAddress NodeAddress, IPAddress? TunnelAddress, int Mtu = 0);
