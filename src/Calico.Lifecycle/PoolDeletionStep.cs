namespace Calico.Lifecycle;

/// <summary>The steps of <see cref="PoolDeletion"/>, in order (upstream clientv3 ipPools.Delete).</summary>
public enum PoolDeletionStep
{
    /// <summary>Set spec.disabled, so no new address or block is taken from the pool.</summary>
    Disable,

    /// <summary>Wait for allocations that read the pool as enabled to finish (only when this run disabled it).</summary>
    Settle,

    /// <summary>Release every affinity to the pool's blocks: empty blocks are deleted, blocks with addresses lose their affinity.</summary>
    ReleaseBlocks,

    /// <summary>Delete the IPPool.</summary>
    DeletePool,
}
