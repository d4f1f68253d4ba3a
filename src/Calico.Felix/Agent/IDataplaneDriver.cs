using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;

namespace Calico.Felix.Agent;

/// <summary>Everything the kernel should hold for this host, as of one batch.</summary>
/// <param name="State">The calculation graph's output so far (local endpoints, active policies, IP sets).</param>
/// <param name="AllPoolCidrs">Every IP pool's CIDR (v4 and v6).</param>
/// <param name="MasqueradePoolCidrs">CIDRs of pools with natOutgoing.</param>
/// <param name="Render">The Felix parameters rendering depends on.</param>
internal sealed record DesiredDataplane(
    DataplaneState State,
    IReadOnlyList<string> AllPoolCidrs,
    IReadOnlyList<string> MasqueradePoolCidrs,
    RenderConfig Render);

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

/// <summary>A read-back of the kernel, taken after apply number <paramref name="Generation"/>.</summary>
internal sealed record KernelReading(long Generation, string? Table);

/// <summary>What a drift check repaired (null: nothing), or that its reading was stale and nothing was checked.</summary>
internal sealed record DriftResult(string? Repaired, bool Stale)
{
    public static DriftResult StaleReading { get; } = new(null, true);
}
