using Calico.Bird.Rendering;

namespace Calico.Bird;

/// <summary>What calico-node needs besides the BIRD text for local workload peering (see <see cref="LocalWorkloadPeer"/>).</summary>
public static class LocalWorkloadPeers
{
    /// <summary>The workloads on this node a BGPPeer's <c>localWorkloadSelector</c> selects (the sessions BIRD gets).</summary>
    public static IReadOnlyList<LocalWorkloadPeer> Select(BirdInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return inputs.Peers.Any(p => !string.IsNullOrEmpty(p.Spec.LocalWorkloadSelector))
            ? LocalWorkloadPeerPlanner.Select(new BgpTopology(inputs), inputs)
            : [];
    }

    /// <summary><c>localWorkloadPeeringIPV4</c> of the default BGPConfiguration, normalised; null when unset.</summary>
    public static string? PeeringIpv4(BirdInputs inputs) => LocalWorkloadPeerPlanner.PeeringIp(inputs?.GlobalConfig?.Spec, IpFamily.V4);

    /// <summary><c>localWorkloadPeeringIPV6</c> of the default BGPConfiguration, normalised; null when unset.</summary>
    public static string? PeeringIpv6(BirdInputs inputs) => LocalWorkloadPeerPlanner.PeeringIp(inputs?.GlobalConfig?.Spec, IpFamily.V6);
}
