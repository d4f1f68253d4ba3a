using System.Net;

namespace Calico.Felix.Dataplane.Ipip;

/// <summary>
/// The desired IP-in-IP state, whole: this node's end (null = IP-in-IP off: addresses leave <c>tunl0</c>, its routes
/// go), the other nodes' blocks, and the CIDRs of the IP-in-IP pools (native CrossSubnet routes on the parent are ours
/// only inside them, so VXLAN's and BIRD's routes there are never touched).
/// </summary>
public sealed record IpipOverlay(IpipLocal? Local, IReadOnlyCollection<IpipBlock> Blocks, IReadOnlyCollection<IPNetwork> Pools)
{
    /// <summary>No IP-in-IP.</summary>
    public static IpipOverlay Off { get; } = new(null, [], []);
}
