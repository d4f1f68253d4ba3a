namespace Calico.Linux.Netlink;

/// <summary>The netlink protocols this project speaks (the third argument of socket(AF_NETLINK, SOCK_RAW, …)).</summary>
internal enum NetlinkProtocol
{
    /// <summary>NETLINK_ROUTE: links, addresses, routes, neighbours (rtnetlink).</summary>
    Route = 0,

    /// <summary>NETLINK_NETFILTER: nf_tables batches and queries (nfnetlink).</summary>
    Netfilter = 12,
}
