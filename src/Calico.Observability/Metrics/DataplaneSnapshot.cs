namespace Calico.Observability.Metrics;

/// <summary>
/// The dataplane's counts at one scrape, for <see cref="FelixMetrics.RegisterDataplane"/>: nft write and list calls
/// and failures (absolute counts since start), objects in the table by IP version label (null: that
/// label has no such objects by construction, so no sample) and routes and interfaces by route-table label.
/// </summary>
public sealed record DataplaneSnapshot(
    long NftCalls,
    long NftErrors,
    long NftListCalls,
    long NftListErrors,
    IReadOnlyList<(string IpVersion, int? Chains, int? Rules, int Sets, int? Maps)> Table,
    IReadOnlyList<(string Table, int Routes, int Interfaces)> RouteTables)
{
    internal IEnumerable<MetricSample> Samples()
    {
        yield return new MetricSample("felix_nft_calls", NftCalls);
        yield return new MetricSample("felix_nft_errors", NftErrors);
        yield return new MetricSample("felix_nft_list_calls", NftListCalls);
        yield return new MetricSample("felix_nft_list_errors", NftListErrors);
        foreach (var (ipVersion, chains, rules, sets, maps) in Table)
        {
            string[] label = [ipVersion];
            if (chains is { } c)
            {
                yield return new MetricSample("felix_nft_chains", c, label);
            }

            if (rules is { } r)
            {
                yield return new MetricSample("felix_nft_rules", r, label);
            }

            yield return new MetricSample("felix_nft_sets", sets, label);
            if (maps is { } m)
            {
                yield return new MetricSample("felix_nft_maps", m, label);
            }
        }

        foreach (var (table, routes, interfaces) in RouteTables)
        {
            yield return new MetricSample("felix_route_table_num_routes", routes, [table]);
            yield return new MetricSample("felix_route_table_num_ifaces", interfaces, [table]);
        }
    }
}
