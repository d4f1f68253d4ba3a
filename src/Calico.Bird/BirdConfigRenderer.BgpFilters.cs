using System.Text;
using Calico.Api;
using Calico.Bird.Rendering;

namespace Calico.Bird;

/// <summary>
/// BGPFilter resources as BIRD functions, and the import/export filters of the peerings whose BGPPeer lists them
/// (upstream's <c>BGPFilterBIRDFuncs</c>, <c>buildImportFilter</c> and <c>buildExportFilter</c>).
/// </summary>
public static partial class BirdConfigRenderer
{
    private const string ImportAllComment = "We cannot know the upstream topology, so trust the ToR or RR.";

    /// <summary>BGPPeers listing a BGPFilter that does not exist (by peer, then filter name): for the caller to log.</summary>
    public static IReadOnlyList<MissingBgpFilter> MissingFilters(BirdInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var names = inputs.Filters.Select(f => f.Metadata.Name ?? "").ToHashSet(StringComparer.Ordinal);
        return inputs.Peers
            .OrderBy(p => p.Metadata.Name, StringComparer.Ordinal)
            .SelectMany(p => (p.Spec.Filters ?? []).Distinct(StringComparer.Ordinal).Where(f => !names.Contains(f)).Select(f => new MissingBgpFilter(p.Metadata.Name ?? "", f)))
            .ToList();
    }

    /// <summary>The peerings with the calls of the filters their BGPPeer lists (mesh peerings list none, as upstream).</summary>
    private static List<BirdPeering> WithFilterCalls(List<BirdPeering> peerings, BgpFilterCatalog catalog, BgpTopology topology, BGPConfiguration? config) =>
        peerings
            .Select(p => p.Filters.Count == 0
                ? p
                : p with
                {
                    FilterCalls = catalog.CallsFor(p.Filters, p.Family, p.AsNumber == (p.LocalAsNumber ?? topology.SelfAsNumber)) with
                    {
                        NormalPriority = NormalRoutePriority(config, p.Family),
                    },
                })
            .ToList();

    private static void WriteBgpFilterFunctions(StringBuilder w, BgpFilterCatalog catalog, BirdInputs inputs)
    {
        var missing = MissingFilters(inputs);
        var families = Families.Select(f => (Family: f, Functions: catalog.Functions(f).ToList())).ToList();
        if (missing.Count == 0 && families.All(f => f.Functions.Count == 0))
        {
            return;
        }

        w.Append('\n');
        w.Append("# BGP filters (BGPFilter): each runs first in the filters of the peerings whose BGPPeer lists it;\n");
        w.Append("# a route no rule decides goes on to the next filter, then to Calico's own logic.\n");
        if (catalog.ImportSetsPriority())
        {
            w.Append("attribute int ").Append(BgpFilterStatement.PriorityAttribute).Append("; # setPriority on import: the kernel metric.\n");
        }

        foreach (var (family, functions) in families)
        {
            string? current = null;
            foreach (var function in functions)
            {
                if (function.FilterName != current)
                {
                    current = function.FilterName;
                    w.Append("# v").Append(family == IpFamily.V4 ? '4' : '6').Append(" BGPFilter ").Append(current).Append('\n');
                }

                w.Append("function ").Append(function.Symbol).Append(function.TakesPeerType ? "(bool is_same_as) {\n" : "() {\n");
                var list = (function.Direction == BgpFilterDirection.Import ? "import" : "export") + (family == IpFamily.V4 ? "V4" : "V6");
                for (var i = 0; i < function.Rules.Count; i++)
                {
                    var field = $"BGPFilter({function.FilterName}).spec.{list}[{i}]";
                    w.Append("  ").Append(BgpFilterStatement.Render(function.Rules[i], family, function.Direction, field)).Append('\n');
                }

                w.Append("}\n");
            }
        }

        foreach (var m in missing)
        {
            w.Append("# BGPPeer ").Append(m.PeerName).Append(" lists BGPFilter ").Append(m.FilterName)
                .Append(", which does not exist: its peerings run without it.\n");
        }
    }

    /// <summary>The kernel protocol programs an import rule's <c>setPriority</c> as the route's metric.</summary>
    private static void WriteBgpFilterKernelPriority(StringBuilder w, IpFamily family, BirdInputs inputs)
    {
        var setsPriority = inputs.Filters.Any(f =>
            (family == IpFamily.V4 ? f.Spec.ImportV4?.Select(BgpFilterRule.From) : f.Spec.ImportV6?.Select(BgpFilterRule.From))?.Any(r => r.SetsPriority) == true);
        if (setsPriority)
        {
            w.Append("  if (source = RTS_BGP && defined(").Append(BgpFilterStatement.PriorityAttribute).Append(")) then { krt_metric = ")
                .Append(BgpFilterStatement.PriorityAttribute).Append("; } # BGPFilter setPriority on import.\n");
        }
    }

    private static void WriteImportFilter(StringBuilder w, BirdPeering p)
    {
        if (p.FilterCalls.Import.Count == 0)
        {
            w.Append("    import all; # ").Append(ImportAllComment).Append('\n');
            return;
        }

        w.Append("    import filter {\n");
        foreach (var call in p.FilterCalls.Import)
        {
            w.Append("      ").Append(call).Append('\n');
        }

        w.Append("      accept; # No rule decided: import, as without filters. ").Append(ImportAllComment).Append("\n    };\n");
    }

    private static void WriteExportFilter(StringBuilder w, BirdPeering p, bool internalPeer)
    {
        var calico = $"calico_export_to_bgp_peers_{p.Family.Suffix()}({(internalPeer ? "true" : "false")});";
        if (p.FilterCalls.Export.Count == 0)
        {
            w.Append("    export filter { ").Append(calico).Append(" reject; };\n");
            return;
        }

        w.Append("    export filter {\n");
        if (p.FilterCalls.ExportMatchesPriority)
        {
            // Upstream's preamble: a priority match reads bgp_local_pref, which locally originated routes get from
            // their kernel metric (the normal priority when they have none); re-exported BGP routes keep theirs.
            w.Append("      if (defined(source) && source = RTS_BGP && defined(bgp_local_pref)) then {\n");
            w.Append("        krt_metric = ").Append(BgpFilterStatement.PriorityBase).Append(" - bgp_local_pref;\n");
            w.Append("      } else {\n");
            w.Append("        if (!defined(krt_metric)) then { krt_metric = ").Append(p.FilterCalls.NormalPriority).Append("; }\n");
            w.Append("        bgp_local_pref = ").Append(BgpFilterStatement.PriorityBase).Append(" - krt_metric;\n");
            w.Append("      }\n");
        }

        foreach (var call in p.FilterCalls.Export)
        {
            w.Append("      ").Append(call).Append('\n');
        }

        w.Append("      ").Append(calico).Append("\n      reject;\n    };\n");
    }

    private static int NormalRoutePriority(BGPConfiguration? config, IpFamily family) =>
        (family == IpFamily.V4 ? config?.Spec.Ipv4NormalRoutePriority : config?.Spec.Ipv6NormalRoutePriority) ?? 1024;
}
