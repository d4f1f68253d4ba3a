namespace Calico.Linux.Netlink;

/// <summary>
/// The kernel's notifications of link and address changes (rtnetlink multicast groups RTMGRP_LINK,
/// RTMGRP_IPV4_IFADDR and RTMGRP_IPV6_IFADDR) in the namespace the socket was opened in. It only says that something
/// changed: the caller reads the state it follows again (a dump), so a lost notification (queue overflow) costs
/// nothing but that read. Not thread-safe.
/// </summary>
public sealed class InterfaceChangeEvents : IDisposable
{
    private const uint RtmgrpLink = 0x1;
    private const uint RtmgrpIpv4Ifaddr = 0x10;
    private const uint RtmgrpIpv6Ifaddr = 0x100;
    private readonly NetlinkSocket _socket;

    private InterfaceChangeEvents(NetlinkSocket socket) => _socket = socket;

    /// <summary>Subscribes in the calling thread's network namespace (before the first dump, so no change falls between).</summary>
    public static InterfaceChangeEvents Open() =>
        new(NetlinkSocket.Open(NetlinkProtocol.Route, RtmgrpLink | RtmgrpIpv4Ifaddr | RtmgrpIpv6Ifaddr));

    /// <summary>Subscribes inside the namespace at <paramref name="netnsPath"/> (from a dedicated thread).</summary>
    public static async Task<InterfaceChangeEvents> OpenInAsync(string netnsPath, CancellationToken cancellationToken) =>
        new(await NetworkNamespace.RunInAsync(
            netnsPath, () => NetlinkSocket.Open(NetlinkProtocol.Route, RtmgrpLink | RtmgrpIpv4Ifaddr | RtmgrpIpv6Ifaddr), cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for a link or address to be added, changed or removed, and consumes
    /// every notification queued; true when there was one (or some were lost), false on timeout.
    /// </summary>
    public bool WaitForChange(TimeSpan timeout)
    {
        List<ushort>? types = _socket.ReceiveNotifications(timeout);
        return types is null || types.Exists(static t => t is Rtnl.RTM_NEWLINK or Rtnl.RTM_DELLINK or Rtnl.RTM_NEWADDR or Rtnl.RTM_DELADDR);
    }

    public void Dispose() => _socket.Dispose();
}
