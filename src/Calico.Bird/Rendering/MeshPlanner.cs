using Calico.Api;

namespace Calico.Bird.Rendering;

/// <summary>
/// The node-to-node mesh: one session to every other non-reflector node with an address in the family; the side
/// with the lower IP (string compare, as upstream) connects, the other is passive, so each pair opens one session.
/// </summary>
internal static class MeshPlanner
{
    public static IEnumerable<BirdPeering> Plan(BgpTopology topology, BGPConfiguration? globalConfig, string? meshPassword)
    {
        if (!(globalConfig?.Spec.NodeToNodeMeshEnabled ?? true) || topology.Self.IsRouteReflector)
        {
            yield break;
        }

        var restart = BgpTimers.ToRoundedSeconds(globalConfig?.Spec.NodeMeshMaxRestartTime);
        foreach (var family in new[] { IpFamily.V4, IpFamily.V6 })
        {
            var own = topology.Self.Address(family);
            if (own is null)
            {
                continue;
            }

            foreach (var node in topology.Nodes)
            {
                var ip = node.Address(family);
                if (ip is null || ip == own || node.IsRouteReflector)
                {
                    continue;
                }

                yield return new BirdPeering(PeeringNames.For(PeeringKind.Mesh, ip, port: null), PeeringKind.Mesh, family, ip, topology.AsNumberOf(node))
                {
                    Port = topology.ListenPortOf(node.Name),
                    SourceAddress = own,
                    Password = meshPassword,
                    GracefulRestartSeconds = restart,
                    Passive = string.CompareOrdinal(ip, own) > 0,
                };
            }
        }
    }
}
