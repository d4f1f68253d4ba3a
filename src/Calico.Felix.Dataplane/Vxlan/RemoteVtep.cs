using System.Net;

namespace Calico.Felix.Dataplane.Vxlan;

/// <summary>Another node's VTEP: its tunnel address and device MAC (from its Node resource) and its underlay address.</summary>
public sealed record RemoteVtep(string Node, IPAddress TunnelAddress, string Mac, IPAddress NodeAddress);
