namespace Calico.Node.NodeStatuses;

/// <summary>Reads this node's BIRD for a status report (tests give canned snapshots).</summary>
internal interface IBirdStatusSource
{
    /// <summary>
    /// One round of reads: the daemon's status always, protocols and routes only when asked. A BIRD that does not
    /// answer is <see cref="BirdSnapshot.Unreachable"/>, never an exception.
    /// </summary>
    Task<BirdSnapshot> ReadAsync(bool protocols, bool routes, CancellationToken cancellationToken);
}
