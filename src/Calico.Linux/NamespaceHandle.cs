using System.Runtime.InteropServices;
using Calico.Linux.Interop;
using Microsoft.Win32.SafeHandles;

namespace Calico.Linux;

/// <summary>An open network namespace file (/var/run/netns/x, /proc/pid/ns/net): what setns and IFLA_NET_NS_FD take.</summary>
internal sealed class NamespaceHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private static readonly Lazy<NamespaceHandle> Process = new(() => Open("/proc/self/ns/net"), LazyThreadSafetyMode.ExecutionAndPublication);

    private NamespaceHandle(int fd)
        : base(ownsHandle: true) => SetHandle(fd);

    public string Path { get; private init; } = string.Empty;

    public int Fd => (int)handle;

    /// <summary>The process's own network namespace (its main thread's), the one every shared thread must stay in.</summary>
    public static NamespaceHandle ProcessNamespace => Process.Value;

    /// <summary>The calling thread's current network namespace.</summary>
    public static NamespaceHandle OpenCurrentThread() => Open("/proc/thread-self/ns/net");

    public static NamespaceHandle Open(string path) =>
        TryOpen(path, out NamespaceHandle? handle, out int errno) ? handle : throw new NetlinkException($"open netns {path}: {Errno.Describe(errno)}", errno);

    public static bool TryOpen(string path, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out NamespaceHandle? handle, out int errno)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        int fd = LibC.Open(path, LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (fd < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            handle = null;
            return false;
        }

        errno = 0;
        handle = new NamespaceHandle(fd) { Path = path };
        return true;
    }

    /// <summary>Moves the calling OS thread into this namespace. Only for threads this library owns.</summary>
    public void EnterOnCurrentThread()
    {
        if (LibC.SetNs(Fd, LibC.CLONE_NEWNET) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new NetlinkException($"setns {Path}: {Errno.Describe(errno)}", errno);
        }
    }

    protected override bool ReleaseHandle() => LibC.Close((int)handle) == 0;
}
