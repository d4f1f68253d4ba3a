using Calico.Api;
using Calico.Client;
using Calico.Ipam;

namespace Calico.Lifecycle;

/// <summary>
/// Deleting an IPPool as upstream's clientv3 ipPools.Delete does: disable it (no new address or block from it), pause
/// for allocations in flight, release every host's affinity to its blocks (empty blocks are deleted; a block that still
/// holds addresses loses its affinity and keeps them, so running workloads keep their addresses and the block goes
/// with its last address), then delete the pool. A run stopped anywhere finds the pool again (disabled) and finishes.
/// </summary>
public static class PoolDeletion
{
    /// <summary>A disable that loses to a concurrent update (no resourceVersion given) re-reads and retries this many times.</summary>
    private const int DisableAttempts = 5;

    public static Task<PoolDeletionResult> RunAsync(ResourceClient resources, IpamClient ipam, string poolName, CancellationToken cancellationToken) =>
        RunAsync(resources, ipam, poolName, PoolDeletionOptions.Default, cancellationToken);

    public static async Task<PoolDeletionResult> RunAsync(ResourceClient resources, IpamClient ipam, string poolName, PoolDeletionOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentNullException.ThrowIfNull(ipam);
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(poolName) || poolName.Contains('/', StringComparison.Ordinal))
        {
            throw new ValidationException([new FieldError("Metadata.Name", poolName ?? "", "an IP pool name must be non-empty and contain no '/'")]);
        }

        var kind = ResourceKinds.IPPool;
        IPPool? pool;
        try
        {
            pool = await resources.GetAsync(kind, null, poolName, cancellationToken).ConfigureAwait(false) as IPPool;
        }
        catch (CorruptResourceException)
        {
            // No CIDR can be read, so there are no blocks to name; the client deletes the unreadable value.
            return Result(poolName, await resources.DeleteAsync(kind, null, poolName, options.ResourceVersion, cancellationToken).ConfigureAwait(false));
        }

        if (pool is null || (options.ResourceVersion is { Length: > 0 } rv && pool.Metadata.ResourceVersion != rv))
        {
            // Upstream's not-found or stale-version message, and nothing touched.
            return Result(poolName, await resources.DeleteAsync(kind, null, poolName, options.ResourceVersion, cancellationToken).ConfigureAwait(false));
        }

        Step(options, poolName, PoolDeletionStep.Disable);
        bool disabledNow = false;
        for (int attempt = 0; pool.Spec.Disabled != true; attempt++)
        {
            var disabled = (IPPool)ResourceCodec.Clone(pool);
            disabled.Spec.Disabled = true;
            var updated = await resources.UpdateAsync(disabled, cancellationToken).ConfigureAwait(false);
            if (updated.Succeeded)
            {
                disabledNow = true;
                break;
            }

            if (updated.Status != OperationStatus.Conflict || !string.IsNullOrEmpty(options.ResourceVersion) || attempt + 1 == DisableAttempts)
            {
                return Result(poolName, updated);
            }

            pool = await resources.GetAsync(kind, null, poolName, cancellationToken).ConfigureAwait(false) as IPPool;
            if (pool is null)
            {
                return Result(poolName, await resources.DeleteAsync(kind, null, poolName, null, cancellationToken).ConfigureAwait(false));
            }
        }

        Step(options, poolName, PoolDeletionStep.Settle);
        if (disabledNow && options.SettleDelay > TimeSpan.Zero)
        {
            await Task.Delay(options.SettleDelay, ipam.Time, cancellationToken).ConfigureAwait(false);
        }

        Step(options, poolName, PoolDeletionStep.ReleaseBlocks);
        var blocks = AffinityReleaseResult.None;
        if (Cidr.TryParse(pool.Spec.Cidr ?? "", out var cidr))
        {
            blocks = await ipam.ReleasePoolAffinitiesAsync(cidr, cancellationToken).ConfigureAwait(false);
            LifecycleLog.PoolBlocksReleased(options.Logger, poolName, pool.Spec.Cidr!, blocks.DeletedBlocks.Count, blocks.UnaffinedBlocks.Count);
        }

        Step(options, poolName, PoolDeletionStep.DeletePool);
        // Upstream drops the resourceVersion here: disabling changed it, and the check was made before.
        var deleted = await resources.DeleteAsync(kind, null, poolName, null, cancellationToken).ConfigureAwait(false);
        return Result(poolName, deleted) with { DisabledByThisRun = disabledNow, Blocks = blocks };
    }

    private static PoolDeletionResult Result(string name, OperationResult pool) => new() { PoolName = name, Pool = pool };

    private static void Step(PoolDeletionOptions options, string pool, PoolDeletionStep step)
    {
        LifecycleLog.PoolStep(options.Logger, pool, step.ToString());
        options.BeforeStep?.Invoke(step);
    }
}
