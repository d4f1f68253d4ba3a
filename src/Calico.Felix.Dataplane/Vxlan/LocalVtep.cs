using System.Net;

namespace Calico.Felix.Dataplane.Vxlan;

/// <summary>
/// This node's VXLAN tunnel endpoint: the tunnel address (Node.spec.ipv4VXLANTunnelAddr, put on the device as a /32
/// or /128), the device MAC (Node.spec.vxlanTunnelMACAddr), and the node's underlay address (outer source; its
/// interface is the parent unless <see cref="ParentInterface"/> names one). <see cref="Vni"/> and <see cref="Port"/>
/// are FelixConfiguration vxlanVNI and vxlanPort; <see cref="Mtu"/> 0 = the parent's MTU minus 50 (IPv4) or 70 (IPv6).
/// </summary>
public sealed record LocalVtep(
    IPAddress TunnelAddress,
    string Mac,
    IPAddress NodeAddress,
    string? ParentInterface = null,
    int Vni = LocalVtep.DefaultVni,
    int Port = LocalVtep.DefaultPort,
    int Mtu = 0)
{
    public const int DefaultVni = 4096;
    public const int DefaultPort = 4789;
}
