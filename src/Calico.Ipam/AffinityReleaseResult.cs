using System.Net;

namespace Calico.Ipam;

/// <summary>
/// What releasing block affinities did, as upstream's releaseBlockAffinity does it: a block left with no allocation
/// is deleted (<see cref="DeletedBlocks"/>, which also lists a block that was already gone), a block that still
/// holds addresses only loses its affinity (<see cref="UnaffinedBlocks"/>) and stays with them.
/// </summary>
public sealed record AffinityReleaseResult(IReadOnlyList<IPNetwork> DeletedBlocks, IReadOnlyList<IPNetwork> UnaffinedBlocks)
{
    public static AffinityReleaseResult None { get; } = new([], []);
}
