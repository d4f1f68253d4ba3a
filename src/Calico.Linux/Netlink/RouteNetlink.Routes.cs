using System.Globalization;
using Calico.Linux.Interop;

namespace Calico.Linux.Netlink;

/// <summary>Route operations a reconciler needs: replace in place, delete exactly, dump filtered.</summary>
public sealed partial class RouteNetlink
{
    /// <summary>
    /// Creates the route or replaces the one with the same key (destination, table, metric; IPv4 also TOS) in one
    /// request (NLM_F_CREATE | NLM_F_REPLACE): a route moving between interfaces never has a gap.
    /// </summary>
    public void ReplaceRoute(RouteSpec route) => AddRoute(route, replace: true);

    /// <summary>
    /// Deletes exactly <paramref name="route"/> as read from a dump (destination, table, metric, protocol, scope,
    /// interface and gateway all have to match, so a route someone just changed is not deleted by mistake);
    /// false when no such route exists any more (ESRCH for IPv4, ENOENT for IPv6).
    /// </summary>
    public bool TryDeleteRoute(RouteInfo route)
    {
        ArgumentNullException.ThrowIfNull(route);
        byte family = FamilyOf(route.Destination.BaseAddress);
        NetlinkWriter writer = BeginRequest();
        writer.BeginMessage(Rtnl.RTM_DELROUTE, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK, _socket.NextSequence());
        byte table = route.Table < 256 ? (byte)route.Table : (byte)0;
        writer.WriteRtMsg(family, (byte)route.Destination.PrefixLength, table, route.Protocol, route.Scope, route.Type, 0);
        if (route.Destination.PrefixLength > 0)
        {
            writer.PutAddress(Rtnl.RTA_DST, route.Destination.BaseAddress);
        }

        if (route.Gateway is not null)
        {
            writer.PutAddress(Rtnl.RTA_GATEWAY, route.Gateway);
        }

        if (route.OutInterfaceIndex != 0)
        {
            writer.PutInt32(Rtnl.RTA_OIF, route.OutInterfaceIndex);
        }

        writer.PutUInt32(Rtnl.RTA_PRIORITY, route.Metric);
        if (route.Table >= 256)
        {
            writer.PutUInt32(Rtnl.RTA_TABLE, route.Table);
        }

        writer.EndMessage();
        int errno = _socket.TryExecute(writer.Written, out string? detail);
        return errno switch
        {
            0 => true,
            Errno.ESRCH or Errno.ENOENT => false,
            _ => throw NetlinkSocket.Failure(
                $"RTM_DELROUTE {route.Destination} dev {DescribeLink(route.OutInterfaceIndex)} table {route.Table.ToString(CultureInfo.InvariantCulture)} metric {route.Metric.ToString(CultureInfo.InvariantCulture)}",
                errno,
                detail),
        };
    }

    /// <summary>The routes matching <paramref name="filter"/>, read with ONE dump (filtered in the kernel where it can).</summary>
    public IReadOnlyList<RouteInfo> ListRoutes(RouteFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        bool kernelFilters = _socket.EnableStrictChecking();
        NetlinkWriter writer = BeginRequest();
        writer.BeginMessage(Rtnl.RTM_GETROUTE, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_DUMP, _socket.NextSequence());
        byte table = filter.Table is { } wanted && wanted < 256 ? (byte)wanted : (byte)0;
        writer.WriteRtMsg(ToNetlinkFamily(filter.Family), 0, kernelFilters ? table : (byte)0, kernelFilters ? filter.Protocol ?? 0 : (byte)0, 0, 0, 0);
        if (kernelFilters && filter.Table is >= 256)
        {
            writer.PutUInt32(Rtnl.RTA_TABLE, filter.Table.Value);
        }

        if (kernelFilters && filter.OutInterfaceIndex is { } outIndex)
        {
            writer.PutInt32(Rtnl.RTA_OIF, outIndex);
        }

        writer.EndMessage();
        var routes = new List<RouteInfo>();
        DumpOrThrow(writer.Written, "RTM_GETROUTE dump", (type, payload) =>
        {
            if (type == Rtnl.RTM_NEWROUTE && RtnlCodec.TryParseRoute(payload, out RouteInfo? route) && filter.Matches(route))
            {
                routes.Add(route);
            }
        });
        return routes;
    }
}
