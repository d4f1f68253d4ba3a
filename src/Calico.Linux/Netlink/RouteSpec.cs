using System.Net;

namespace Calico.Linux.Netlink;

/// <summary>A unicast route to add: <c>Destination [via Gateway] dev OutInterfaceIndex [scope] [onlink]</c>.</summary>
public sealed record RouteSpec(IPNetwork Destination, int OutInterfaceIndex)
{
    public IPAddress? Gateway { get; init; }

    /// <summary>253 = link (a directly connected destination), 0 = universe (via a gateway).</summary>
    public byte Scope { get; init; }

    public bool OnLink { get; init; }

    public uint Table { get; init; } = Rtnl.RT_TABLE_MAIN;

    /// <summary>3 = boot, what <c>ip route add</c> and upstream's CNI use.</summary>
    public byte Protocol { get; init; } = Rtnl.RTPROT_BOOT;

    /// <summary>0 = the kernel default (IPv4 0, IPv6 1024).</summary>
    public uint Metric { get; init; }

    public override string ToString()
    {
        string via = Gateway is null ? string.Empty : " via " + Gateway;
        return $"{Destination}{via} ifindex {OutInterfaceIndex}{(Scope == Rtnl.RT_SCOPE_LINK ? " scope link" : string.Empty)}{(OnLink ? " onlink" : string.Empty)}";
    }
}
