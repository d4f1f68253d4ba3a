using System.Runtime.InteropServices;
using Calico.Linux.Netlink;

namespace Calico.Linux.Interop;

/// <summary>The one way this project opens a netlink socket, whatever the netlink protocol.</summary>
internal static class NetlinkFd
{
    /// <summary>
    /// A bound AF_NETLINK socket of <paramref name="protocol"/> in the calling thread's namespace, with extended
    /// acks on (the kernel's own explanation of a refusal; best effort) and any further flags in
    /// <paramref name="extraOptions"/>. On failure the descriptor is closed and the error names <paramref name="name"/>.
    /// </summary>
    public static unsafe int OpenBound(int protocol, string name, ReadOnlySpan<int> extraOptions = default)
    {
        int fd = LibC.Socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new NetlinkException($"socket(AF_NETLINK, {name}): " + Errno.Describe(errno), errno);
        }

        try
        {
            // struct sockaddr_nl { sa_family_t nl_family; unsigned short nl_pad; __u32 nl_pid; __u32 nl_groups; }
            byte* address = stackalloc byte[12];
            new Span<byte>(address, 12).Clear();
            HostOrder.WriteUInt16(new Span<byte>(address, 2), LibC.AF_NETLINK);
            if (LibC.Bind(fd, address, 12) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new NetlinkException($"bind(AF_NETLINK, {name}): " + Errno.Describe(errno), errno);
            }

            int one = 1;
            _ = LibC.SetSockOpt(fd, LibC.SOL_NETLINK, LibC.NETLINK_EXT_ACK, &one, sizeof(int));
            foreach (int option in extraOptions)
            {
                _ = LibC.SetSockOpt(fd, LibC.SOL_NETLINK, option, &one, sizeof(int));
            }

            return fd;
        }
        catch
        {
            _ = LibC.Close(fd);
            throw;
        }
    }
}
