using System.Runtime.InteropServices;
using System.Text;
using Calico.Linux.Interop;

namespace Calico.Linux;

/// <summary>
/// Writes /proc/sys values. The kernel resolves /proc/sys/net against the network namespace of the calling
/// THREAD at open time (net sysctl tables are looked up through current->nsproxy), so a write from a thread that
/// entered a namespace lands in that namespace. Plain open/write/close: no buffering, no advisory locks.
/// </summary>
internal static class Sysctl
{
    /// <summary>Writes <paramref name="value"/> to /proc/sys/<paramref name="key"/> (key like "net/ipv4/conf/cali1/proxy_arp").</summary>
    public static unsafe void Write(string key, string value)
    {
        string path = "/proc/sys/" + key;
        int fd = LibC.Open(path, LibC.O_WRONLY | LibC.O_CLOEXEC);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new NetlinkException($"sysctl {key.Replace('/', '.')}={value}: {Errno.Describe(errno)}", errno);
        }

        try
        {
            Span<byte> bytes = stackalloc byte[32];
            int length = Encoding.ASCII.GetBytes(value, bytes);
            fixed (byte* pointer = bytes)
            {
                nint written = LibC.Write(fd, pointer, (nuint)length);
                if (written != length)
                {
                    int errno = written < 0 ? Marshal.GetLastPInvokeError() : Errno.EINVAL;
                    throw new NetlinkException($"sysctl {key.Replace('/', '.')}={value}: {Errno.Describe(errno)}", errno);
                }
            }
        }
        finally
        {
            _ = LibC.Close(fd);
        }
    }

    /// <summary>Reads /proc/sys/<paramref name="key"/> as trimmed text (tests and checks).</summary>
    public static string Read(string key) => File.ReadAllText("/proc/sys/" + key).Trim();
}
