using System.Net.Sockets;
using Calico.Nftables;

namespace Calico.Felix.Dataplane;

/// <summary>
/// What the Linux dataplane did and holds, for upstream's nftables-mode and route-table metrics: nft write
/// transactions and read-backs (and their failures), the shape of the table last applied, and the workload routes and
/// interfaces the route manager keeps. Counters are written on the loop and read by the metrics scrape on another
/// thread (Interlocked); the shapes are immutable values swapped whole.
/// </summary>
public sealed class DataplaneStatistics
{
    private long _nftCalls;
    private long _nftErrors;
    private long _nftListCalls;
    private long _nftListErrors;

    /// <summary>nft write transactions (netlink or <c>nft -f</c>), upstream's <c>felix_nft_calls</c>.</summary>
    public long NftCalls => Interlocked.Read(ref _nftCalls);

    public long NftErrors => Interlocked.Read(ref _nftErrors);

    /// <summary>Table read-backs (<c>nft -j list table</c>: drift checks and policy-counter scrapes).</summary>
    public long NftListCalls => Interlocked.Read(ref _nftListCalls);

    public long NftListErrors => Interlocked.Read(ref _nftListErrors);

    /// <summary>Chains, rules, sets and maps of the table last applied, by IP version label; empty before the first apply.</summary>
    public IReadOnlyList<NftTableShape> Table { get; private set; } = [];

    /// <summary>Workload routes and the interfaces they go through, by table label (upstream's <c>IPv4:254</c>); empty before the first sync.</summary>
    public IReadOnlyList<RouteTableShape> Routes { get; private set; } = [];

    /// <summary>Called after every route sync (a full resync: one link and one route dump) with its duration.</summary>
    public Action<TimeSpan>? RouteSynced { get; set; }

    public void NftWrite(bool failed)
    {
        Interlocked.Increment(ref _nftCalls);
        if (failed)
        {
            Interlocked.Increment(ref _nftErrors);
        }
    }

    public void NftList(bool failed)
    {
        Interlocked.Increment(ref _nftListCalls);
        if (failed)
        {
            Interlocked.Increment(ref _nftListErrors);
        }
    }

    /// <summary>
    /// Records the table's shape. <c>table inet calico</c> serves both IP versions, so chains, rules and maps are
    /// labelled <c>inet</c>; a set is <c>4</c> or <c>6</c> by the address type in its key, <c>inet</c> when it has none.
    /// </summary>
    public void TableApplied(NftTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        int v4 = 0, v6 = 0, other = 0;
        foreach (NftSet set in table.Sets)
        {
            if (set.Type.Key.Contains(NftDataType.Ipv4Addr))
            {
                v4++;
            }
            else if (set.Type.Key.Contains(NftDataType.Ipv6Addr))
            {
                v6++;
            }
            else
            {
                other++;
            }
        }

        Table =
        [
            new NftTableShape("inet", table.Chains.Count, table.Chains.Sum(c => c.Rules.Count), other, table.Maps.Count),
            new NftTableShape("4", null, null, v4, null),
            new NftTableShape("6", null, null, v6, null),
        ];
    }

    /// <summary>Records the desired workload routes (interface name to destinations) after a sync.</summary>
    public void RoutesSynced(IReadOnlyDictionary<string, System.Net.IPNetwork[]> routes, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(routes);
        int routes4 = 0, routes6 = 0, ifaces4 = 0, ifaces6 = 0;
        foreach (System.Net.IPNetwork[] destinations in routes.Values)
        {
            int four = destinations.Count(d => d.BaseAddress.AddressFamily == AddressFamily.InterNetwork);
            int six = destinations.Length - four;
            routes4 += four;
            routes6 += six;
            ifaces4 += four > 0 ? 1 : 0;
            ifaces6 += six > 0 ? 1 : 0;
        }

        Routes = [new RouteTableShape("IPv4:254", routes4, ifaces4), new RouteTableShape("IPv6:254", routes6, ifaces6)];
        RouteSynced?.Invoke(duration);
    }
}
