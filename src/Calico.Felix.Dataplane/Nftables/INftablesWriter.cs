using Calico.Felix.Rules.Planning;

namespace Calico.Felix.Dataplane.Nftables;

/// <summary>
/// Where an <see cref="NftPlan"/> goes: the kernel (netlink, <c>nft -f</c> as fallback) or, in tests, an in-memory
/// table. <see cref="ApplyAsync"/> is all or nothing: when it throws, the table is as it was.
/// </summary>
public interface INftablesWriter
{
    Task<NftWriteResult> ApplyAsync(NftPlan plan, CancellationToken cancellationToken);

    /// <summary>
    /// <c>table inet calico</c> as <c>nft -j list table</c> prints it; null when the table does not exist. May run
    /// while another thread applies (it only reads).
    /// </summary>
    Task<string?> ReadTableJsonAsync(CancellationToken cancellationToken);
}
