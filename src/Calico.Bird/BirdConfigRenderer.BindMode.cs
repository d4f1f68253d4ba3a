using Calico.Bird.Rendering;

namespace Calico.Bird;

/// <summary>
/// <c>bindMode: NodeIP</c> (upstream: <c>listen bgp address &lt;node IP&gt;</c>). BIRD 2 has no global listen
/// address; <c>strict bind</c> binds each session's listening socket to its local address instead, and a socket on a
/// specific address collides with one on the wildcard address, so every session then needs a local address.
/// </summary>
public static partial class BirdConfigRenderer
{
    private static bool BindsNodeIp(BgpTopology topology) => topology.BindMode == "NodeIP";
}
