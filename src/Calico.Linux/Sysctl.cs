using System.Runtime.InteropServices;
using System.Text;
using Calico.Linux.Interop;

namespace Calico.Linux;

/// <summary>
/// Reads and writes /proc/sys values. The kernel resolves /proc/sys/net against the network namespace of the calling
/// THREAD at open time (net sysctl tables are looked up through current->nsproxy), so a call from a thread that
/// entered a namespace lands in that namespace. Plain open/read/write/close: no buffering, no advisory locks, no
/// allocation beyond the key's path.
/// </summary>
public static class Sysctl
{
    private const int ValueBufferLength = 64;

    /// <summary>Writes <paramref name="value"/> to /proc/sys/<paramref name="key"/> (key like "net/ipv4/conf/cali1/proxy_arp").</summary>
    public static unsafe void Write(string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        string path = "/proc/sys/" + key;
        int fd = LibC.Open(path, LibC.O_WRONLY | LibC.O_CLOEXEC);
        if (fd < 0)
        {
            throw Failure(key, "=" + value, Marshal.GetLastPInvokeError());
        }

        try
        {
            Span<byte> bytes = stackalloc byte[ValueBufferLength];
            int length = Encoding.ASCII.GetBytes(value, bytes);
            fixed (byte* pointer = bytes)
            {
                nint written = LibC.Write(fd, pointer, (nuint)length);
                if (written != length)
                {
                    throw Failure(key, "=" + value, written < 0 ? Marshal.GetLastPInvokeError() : Errno.EINVAL);
                }
            }
        }
        finally
        {
            _ = LibC.Close(fd);
        }
    }

    /// <summary>Reads /proc/sys/<paramref name="key"/> as trimmed text.</summary>
    public static string Read(string key) =>
        TryRead(key, out string? value, out int errno) ? value : throw Failure(key, string.Empty, errno);

    /// <summary>Reads /proc/sys/<paramref name="key"/>; false with the errno when it cannot (ENOENT: no such interface).</summary>
    public static unsafe bool TryRead(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value, out int errno)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        value = null;
        int fd = LibC.Open("/proc/sys/" + key, LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (fd < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return false;
        }

        try
        {
            Span<byte> bytes = stackalloc byte[ValueBufferLength];
            fixed (byte* pointer = bytes)
            {
                nint read = LibC.Read(fd, pointer, (nuint)bytes.Length);
                if (read < 0)
                {
                    errno = Marshal.GetLastPInvokeError();
                    return false;
                }

                value = Encoding.ASCII.GetString(bytes[..(int)read]).Trim();
                errno = 0;
                return true;
            }
        }
        finally
        {
            _ = LibC.Close(fd);
        }
    }

    /// <summary>
    /// Makes /proc/sys/<paramref name="key"/> equal <paramref name="value"/>, writing only when it differs (a write
    /// to some keys, e.g. forwarding, resets other per-interface settings in the kernel, and reading is cheaper).
    /// True when it wrote.
    /// </summary>
    public static bool Ensure(string key, string value)
    {
        if (TryRead(key, out string? current, out _) && string.Equals(current, value, StringComparison.Ordinal))
        {
            return false;
        }

        Write(key, value);
        return true;
    }

    private static NetlinkException Failure(string key, string what, int errno) =>
        new($"sysctl {key.Replace('/', '.')}{what}: {Errno.Describe(errno)}", errno);
}
