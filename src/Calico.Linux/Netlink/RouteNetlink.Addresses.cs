using System.Globalization;
using System.Net;
using Calico.Linux.Interop;

namespace Calico.Linux.Netlink;

/// <summary>Address removal, for reconcilers that own every address of a device.</summary>
public sealed partial class RouteNetlink
{
    /// <summary>Deletes <paramref name="address"/>/<paramref name="prefixLength"/> from the interface; false when it is not there (EADDRNOTAVAIL).</summary>
    public bool TryDeleteAddress(int index, IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        byte family = FamilyOf(address);
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, family == Rtnl.AF_INET ? 32 : 128);
        NetlinkWriter writer = BeginRequest();
        writer.BeginMessage(Rtnl.RTM_DELADDR, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK, _socket.NextSequence());
        writer.WriteIfAddrMsg(family, (byte)prefixLength, 0, 0, index);
        writer.PutAddress(Rtnl.IFA_LOCAL, address);
        writer.EndMessage();
        int errno = _socket.TryExecute(writer.Written, out string? detail);
        return errno switch
        {
            0 => true,
            Errno.EADDRNOTAVAIL => false,
            _ => throw NetlinkSocket.Failure(
                $"RTM_DELADDR {address}/{prefixLength.ToString(CultureInfo.InvariantCulture)} dev {DescribeLink(index)}", errno, detail),
        };
    }
}
