using Calico.Api;

namespace Calico.Bird.Rendering;

/// <summary>
/// Every BGPFilter as BIRD functions (per family and direction, filters in name order, as upstream renders all of
/// them whether or not a peer names them), and the calls a peering makes for the filters its BGPPeer lists.
/// </summary>
internal sealed class BgpFilterCatalog
{
    private readonly Dictionary<(string Name, IpFamily Family, BgpFilterDirection Direction), BgpFilterFunction> _functions = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public BgpFilterCatalog(IReadOnlyList<BGPFilter> filters)
    {
        foreach (var filter in filters.OrderBy(f => f.Metadata.Name, StringComparer.Ordinal))
        {
            var name = filter.Metadata.Name ?? "";
            _names.Add(name);
            var spec = filter.Spec;
            Add(name, IpFamily.V4, BgpFilterDirection.Import, spec.ImportV4?.Select(BgpFilterRule.From));
            Add(name, IpFamily.V4, BgpFilterDirection.Export, spec.ExportV4?.Select(BgpFilterRule.From));
            Add(name, IpFamily.V6, BgpFilterDirection.Import, spec.ImportV6?.Select(BgpFilterRule.From));
            Add(name, IpFamily.V6, BgpFilterDirection.Export, spec.ExportV6?.Select(BgpFilterRule.From));
        }
    }

    /// <summary>The functions in rendering order: per family, per filter name, import then export.</summary>
    public IEnumerable<BgpFilterFunction> Functions(IpFamily family) =>
        _functions.Values.Where(f => f.Family == family)
            .OrderBy(f => f.FilterName, StringComparer.Ordinal)
            .ThenBy(f => f.Direction);

    /// <summary>
    /// An import rule sets a priority: routes carry it in <c>calico_filter_priority</c> to the kernel protocol,
    /// which programs it as the route's metric (upstream maps <c>bgp_local_pref</c> to <c>krt_metric</c>).
    /// </summary>
    public bool ImportSetsPriority(IpFamily? family = null) =>
        _functions.Values.Any(f => f.Direction == BgpFilterDirection.Import && (family is null || f.Family == family) && f.Rules.Any(r => r.SetsPriority));

    public bool Exists(string name) => _names.Contains(name);

    /// <summary>The calls for a peering whose BGPPeer lists <paramref name="filterNames"/>.</summary>
    public BgpFilterCalls CallsFor(IReadOnlyList<string> filterNames, IpFamily family, bool sameAs)
    {
        if (filterNames.Count == 0)
        {
            return BgpFilterCalls.None;
        }

        var import = new List<string>();
        var export = new List<string>();
        var matchesPriority = false;
        foreach (var name in filterNames)
        {
            if (_functions.TryGetValue((name, family, BgpFilterDirection.Import), out var importFunction))
            {
                import.Add(importFunction.Call(sameAs));
            }

            if (_functions.TryGetValue((name, family, BgpFilterDirection.Export), out var exportFunction))
            {
                export.Add(exportFunction.Call(sameAs));
                matchesPriority |= exportFunction.MatchesPriority;
            }
        }

        return new BgpFilterCalls(import, export, matchesPriority);
    }

    private void Add(string name, IpFamily family, BgpFilterDirection direction, IEnumerable<BgpFilterRule>? rules)
    {
        var list = rules?.ToList();
        if (list is { Count: > 0 })
        {
            _functions[(name, family, direction)] = new BgpFilterFunction(name, family, direction, list);
        }
    }
}
