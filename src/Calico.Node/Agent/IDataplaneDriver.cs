using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;

namespace Calico.Node.Agent;

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

    /// <summary>Reads the kernel back and repairs anything changed behind our back; returns what it repaired.</summary>
    Task<string?> RepairDriftAsync(DesiredDataplane desired, CancellationToken cancellationToken);
}
