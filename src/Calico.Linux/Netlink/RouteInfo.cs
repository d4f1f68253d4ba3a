using System.Net;

namespace Calico.Linux.Netlink;

/// <summary>
/// A route (RTM_NEWROUTE answer). Table 254 is main, 255 local. Scope 253 is link. Protocol 2 kernel, 3 boot.
/// Flags carry RTNH_F_ONLINK (4). Metric 0 when the kernel sends no RTA_PRIORITY.
/// </summary>
public sealed record RouteInfo(IPNetwork Destination, IPAddress? Gateway, int OutInterfaceIndex, byte Scope, uint Table, byte Protocol, byte Type, uint Flags, uint Metric)
{
    public bool OnLink => (Flags & Rtnl.RTNH_F_ONLINK) != 0;
}
