using System.Net.Sockets;

namespace Calico.Linux.Netlink;

/// <summary>
/// What a route dump should return. Null fields match anything. The kernel filters by these itself when the socket
/// has strict checking (4.20+), so a dump of the main table does not copy the local table's per-address routes; the
/// reader applies the same filter again, so the answer is the same on older kernels.
/// </summary>
public sealed record RouteFilter
{
    public AddressFamily Family { get; init; } = AddressFamily.Unspecified;

    public uint? Table { get; init; }

    public byte? Protocol { get; init; }

    public int? OutInterfaceIndex { get; init; }

    /// <summary>Unicast routes of the main table (254), both families: where workload routes live.</summary>
    public static RouteFilter MainTable { get; } = new() { Table = Rtnl.RT_TABLE_MAIN };

    public bool Matches(RouteInfo route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return (Table is null || route.Table == Table)
            && (Protocol is null || route.Protocol == Protocol)
            && (OutInterfaceIndex is null || route.OutInterfaceIndex == OutInterfaceIndex)
            && (Family == AddressFamily.Unspecified || route.Destination.BaseAddress.AddressFamily == Family);
    }
}
