using System.Runtime.InteropServices;
using Calico.Linux.Interop;

namespace Calico.Linux.Bpf;

/// <summary>
/// The BPF filesystem (bpffs) where programs and maps are pinned so they outlive the process that loaded them: a
/// <c>kill -9</c> of calico-node leaves the maps (conntrack, policy) and the attached programs in force, and the
/// next calico-node reopens them by path. Mount changes act on the calling process's mount namespace.
/// </summary>
public static class BpfFilesystem
{
    /// <summary>Our root by default. Upstream's bpffs is /sys/fs/bpf and its maps go under /sys/fs/bpf/tc/globals.</summary>
    public const string DefaultRoot = "/sys/fs/bpf/calico";

    /// <summary>calico-node's environment variable naming the root (the lab points it into each host's state directory).</summary>
    public const string RootVariable = "CALICO_BPF_ROOT";

    /// <summary>The root <paramref name="environment"/> names, or <see cref="DefaultRoot"/>.</summary>
    public static string RootFrom(IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return environment.TryGetValue(RootVariable, out string? root) && root.Length > 0 ? root : DefaultRoot;
    }

    /// <summary>statfs(2)'s f_type of a bpffs (linux/magic.h BPF_FS_MAGIC).</summary>
    public const long BpfFsMagic = 0xcafe4a11;

    private const int MntDetach = 2;

    /// <summary>
    /// Makes <paramref name="root"/> a directory on a bpffs: when it (or the nearest existing directory above it) is
    /// already on one, only the directory is created; otherwise a new bpffs is mounted at <paramref name="root"/>.
    /// True when this call mounted one.
    /// </summary>
    public static bool EnsureMounted(string root = DefaultRoot)
    {
        root = ValidateRoot(root);
        var existing = NearestExisting(root);
        if (IsBpfFs(existing))
        {
            Directory.CreateDirectory(root);
            return false;
        }

        Directory.CreateDirectory(root);
        if (LibC.Mount("bpffs", root, "bpf", 0, 0) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new BpfException($"mounting a bpffs at {root}: {Errno.Describe(errno)}", errno);
        }

        return true;
    }

    /// <summary>Whether <paramref name="path"/> (which must exist) is on a bpffs.</summary>
    public static bool IsBpfFs(string path) => FileSystemMagic(path) == BpfFsMagic;

    /// <summary>The filesystem magic of <paramref name="path"/> (statfs f_type).</summary>
    public static unsafe long FileSystemMagic(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var buffer = stackalloc byte[256]; // struct statfs is 120 bytes on x86-64 and arm64
        if (LibC.StatFs(path, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new BpfException($"statfs {path}: {Errno.Describe(errno)}", errno);
        }

        return *(long*)buffer & 0xffffffffL;
    }

    /// <summary>
    /// Unmounts the bpffs mounted at <paramref name="root"/> (lazily: a file still open there does not keep it). What
    /// was pinned only there is released with it; maps still held by a program or an open fd live on.
    /// </summary>
    public static void Unmount(string root)
    {
        root = ValidateRoot(root);
        if (LibC.Umount2(root, MntDetach) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new BpfException($"unmounting the bpffs at {root}: {Errno.Describe(errno)}", errno);
        }
    }

    /// <summary>Pins the program or map behind <paramref name="fd"/> at <paramref name="path"/> (on a bpffs; the directory must exist).</summary>
    public static void Pin(int fd, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var mark = LibbpfMessages.Mark();
        var result = Libbpf.ObjectPin(fd, path);
        if (result < 0)
        {
            throw BpfException.From($"pinning BPF object fd {fd} at {path}", result, mark);
        }
    }

    /// <summary>Removes the pin at <paramref name="path"/>; false when there was none. The object lives on while anything else holds it.</summary>
    public static bool Unpin(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        return true;
    }

    /// <summary>A new fd for the object pinned at <paramref name="path"/> (the caller owns it).</summary>
    internal static int OpenPinned(string path, string what, bool readOnly = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        LibbpfMessages.EnsureInstalled();
        var mark = LibbpfMessages.Mark();
        var fd = readOnly ? GetReadOnly(path) : Libbpf.ObjectGet(path);
        return fd < 0 ? throw BpfException.From($"opening pinned BPF {what} {path}{(readOnly ? " read-only" : "")}", fd, mark) : fd;
    }

    private static unsafe int GetReadOnly(string path)
    {
        var options = new Libbpf.ObjectGetOptions { Size = (nuint)sizeof(Libbpf.ObjectGetOptions), FileFlags = Libbpf.ReadOnlyFileFlag };
        return Libbpf.ObjectGetWithOptions(path, &options);
    }

    private static string ValidateRoot(string root)
    {
        if (string.IsNullOrWhiteSpace(root) || !System.IO.Path.IsPathFullyQualified(root))
        {
            throw new ArgumentException($"bpffs root '{root}' must be an absolute path", nameof(root));
        }

        return System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(root));
    }

    private static string NearestExisting(string path)
    {
        for (var dir = path; ; dir = System.IO.Path.GetDirectoryName(dir)!)
        {
            if (Directory.Exists(dir) || dir == "/")
            {
                return dir;
            }
        }
    }
}
