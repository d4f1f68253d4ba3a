using Calico.Client;
using Calico.Ipam;

namespace Calico.Lifecycle;

/// <summary>What one <see cref="PoolDeletion"/> run did.</summary>
public sealed record PoolDeletionResult
{
    public required string PoolName { get; init; }

    /// <summary>Deleting the IPPool: Ok, NotFound, or Conflict (a given resourceVersion no longer matched; nothing was touched).</summary>
    public required OperationResult Pool { get; init; }

    /// <summary>Whether this run disabled the pool (false when it was already disabled, e.g. by a run that stopped half-way).</summary>
    public bool DisabledByThisRun { get; init; }

    /// <summary>The pool's blocks: deleted when empty, otherwise unaffined (they keep their workloads' addresses).</summary>
    public AffinityReleaseResult Blocks { get; init; } = AffinityReleaseResult.None;
}
