namespace Calico.Bird.Rendering;

/// <summary>
/// What a peering's import and export filters run before Calico's own logic: the BGPFilter functions its BGPPeer
/// lists in <c>spec.filters</c>, in that order (filters without rules for the direction and family, and missing
/// filters, contribute nothing, as upstream).
/// </summary>
/// <param name="Import">Calls run before the import default (<c>accept</c>).</param>
/// <param name="Export">Calls run before <c>calico_export_to_bgp_peers</c>.</param>
/// <param name="ExportMatchesPriority">An export rule matches on <c>priority</c>: the export filter first gives
/// locally originated routes a <c>bgp_local_pref</c> from their metric, as upstream's export preamble does.</param>
internal sealed record BgpFilterCalls(IReadOnlyList<string> Import, IReadOnlyList<string> Export, bool ExportMatchesPriority)
{
    public static BgpFilterCalls None { get; } = new([], [], false);

    /// <summary>The metric a locally originated route without one is given by the priority preamble.</summary>
    public int NormalPriority { get; init; } = 1024;
}
