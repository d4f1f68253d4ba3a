namespace Calico.Felix.Agent;

/// <summary>
/// Programs the kernel. Called only from the agent's loop (never concurrently). The first apply replaces whatever
/// an earlier run left atomically; later ones send what changed. A failed apply throws and leaves the previous
/// kernel state in force; the next apply starts over from a full replacement.
/// </summary>
internal interface IDataplaneDriver
{
    Task ApplyAsync(DesiredDataplane desired, CancellationToken cancellationToken);

    /// <summary>
    /// Reads back what the kernel holds, for <see cref="RepairDriftAsync"/>. The only call that may run while the
    /// loop goes on applying (reading a large table takes ~150 ms, which no policy change should wait for): it only
    /// reads, and notes which apply it read after.
    /// </summary>
    Task<KernelReading> ReadKernelAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Compares <paramref name="reading"/> (null: read now, on the loop) with what was applied and repairs anything
    /// changed behind our back. A reading older than the last apply proves nothing: the result says it was stale.
    /// </summary>
    Task<DriftResult> RepairDriftAsync(DesiredDataplane desired, KernelReading? reading, CancellationToken cancellationToken);
}
