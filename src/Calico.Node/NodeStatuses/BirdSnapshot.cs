using Calico.Bird.Control;

namespace Calico.Node.NodeStatuses;

/// <summary>
/// What this node's BIRD said in one round of reads: its status, and (when a class asked for them) its protocols and
/// routes. <see cref="Daemon"/> is null when no BIRD answered on the control socket (networking backend not bird,
/// BIRD not started yet or dead): the agent is then NotReady and there are no sessions or routes, as upstream.
/// </summary>
internal sealed record BirdSnapshot(BirdDaemonStatus? Daemon, IReadOnlyList<BirdProtocolDetail> Protocols, IReadOnlyList<BirdRoute> Routes)
{
    public static BirdSnapshot Unreachable { get; } = new(null, [], []);
}
