using Calico.Linux.Interop;

namespace Calico.Linux.Netlink;

/// <summary>IP-in-IP: the kernel's fallback tunnel device <c>tunl0</c> (upstream's <c>ipip_mgr.go</c> creates it as an ipip link).</summary>
public sealed partial class RouteNetlink
{
    /// <summary>
    /// <c>ip link add NAME type ipip</c>: RTM_NEWLINK (NLM_F_CREATE | NLM_F_EXCL) with only the kind, no IFLA_INFO_DATA, as
    /// upstream (an <c>Iptun</c> with no local, remote or link) and iproute2 send it. True when created; false when a link of
    /// that name exists (EEXIST): asking for kind ipip makes the kernel load the ipip module, whose fallback device
    /// <c>tunl0</c> then appears in every namespace, so the request that loaded it finds the name taken. A kernel without
    /// ipip answers EOPNOTSUPP ("Unknown device type"), thrown as a <see cref="NetlinkException"/> naming the request.
    /// </summary>
    public bool TryCreateIpip(string name)
    {
        ValidateName(name);
        NetlinkWriter writer = BeginRequest();
        WriteNewIpipLink(writer, _socket.NextSequence(), name);
        int errno = _socket.TryExecute(writer.Written, out string? detail);
        return errno switch
        {
            0 => true,
            Errno.EEXIST => false,
            _ => throw NetlinkSocket.Failure($"RTM_NEWLINK ipip {name}", errno, detail),
        };
    }

    /// <summary>
    /// The request's bytes, byte for byte iproute2's (<c>ip link add tunl0 type ipip</c>): IFLA_IFNAME with its NUL, then
    /// IFLA_LINKINFO holding IFLA_INFO_KIND "ipip" without a NUL (iproute2 writes the kind's characters only; the kernel
    /// accepts either).
    /// </summary>
    internal static void WriteNewIpipLink(NetlinkWriter writer, uint sequence, string name)
    {
        writer.BeginMessage(Rtnl.RTM_NEWLINK, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL, sequence);
        writer.WriteIfInfoMsg(Rtnl.AF_UNSPEC, 0, 0, 0);
        writer.PutString(Rtnl.IFLA_IFNAME, name);
        int linkInfo = writer.BeginNested(Rtnl.IFLA_LINKINFO);
        writer.PutAttribute(Rtnl.IFLA_INFO_KIND, IpipKind);
        writer.EndNested(linkInfo);
        writer.EndMessage();
    }

    private static ReadOnlySpan<byte> IpipKind => "ipip"u8;
}
