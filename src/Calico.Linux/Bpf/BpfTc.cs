using System.Runtime.InteropServices;
using Calico.Linux.Interop;

namespace Calico.Linux.Bpf;

/// <summary>
/// tc (clsact) attachment of BPF programs through libbpf's bpf_tc_* calls, on interfaces of the CALLING THREAD's
/// network namespace (libbpf opens its rtnetlink socket there: calico-node runs in the host's, tests wrap calls in
/// <see cref="NetworkNamespace.RunInAsync{T}(string, Func{T}, CancellationToken)"/>). Our filter has a fixed handle
/// and priority on each hook, so it is found again after a restart, replaced in place (BPF_TC_F_REPLACE: the kernel
/// swaps the program of one filter, no packet sees neither program) and told apart from filters others put there.
/// Filters are direct-action (the program's return value is the verdict), as libbpf always makes them.
/// </summary>
public static class BpfTc
{
    /// <summary>Our filter's handle on every hook ("ca1", for Calico).</summary>
    public const uint Handle = 0xca1;

    /// <summary>Our filter's priority: 1, so it runs before any filter added with tc's default priorities.</summary>
    public const uint Priority = 1;

    /// <summary>
    /// Adds the clsact qdisc that carries both hooks of an interface; false when it was already there.
    /// </summary>
    public static unsafe bool EnsureClsact(int interfaceIndex)
    {
        ValidateIndex(interfaceIndex);
        var hook = Hook(interfaceIndex, TcDirection.Ingress);
        var mark = LibbpfMessages.Mark();
        var result = Libbpf.TcHookCreate(&hook);
        return result == -Errno.EEXIST ? false
            : result < 0 ? throw BpfException.From($"adding the clsact qdisc to {Describe(interfaceIndex)}", result, mark)
            : true;
    }

    /// <summary>
    /// Removes the clsact qdisc of an interface with every filter on both hooks, ours and others'; false when there was none.
    /// </summary>
    public static unsafe bool DestroyClsact(int interfaceIndex)
    {
        ValidateIndex(interfaceIndex);
        var hook = Hook(interfaceIndex, (TcDirection)((int)TcDirection.Ingress | (int)TcDirection.Egress));
        var mark = LibbpfMessages.Mark();
        var result = Libbpf.TcHookDestroy(&hook);
        return result is -Errno.ENOENT or -Errno.EINVAL ? false
            : result < 0 ? throw BpfException.From($"removing the clsact qdisc of {Describe(interfaceIndex)}", result, mark)
            : true;
    }

    /// <summary>
    /// Attaches <paramref name="program"/> as our filter on one hook (adding the clsact qdisc when missing). When our
    /// filter is already there its program is swapped atomically; the previous program stays in force if this fails.
    /// </summary>
    public static unsafe TcAttachment Attach(int interfaceIndex, TcDirection direction, BpfProgram program)
    {
        ArgumentNullException.ThrowIfNull(program);
        ValidateDirection(direction);
        EnsureClsact(interfaceIndex);
        var hook = Hook(interfaceIndex, direction);
        var options = Options();
        options.ProgramFd = program.Fd;
        options.Flags = 1; // BPF_TC_F_REPLACE: create or replace our (handle, priority)
        var mark = LibbpfMessages.Mark();
        var result = Libbpf.TcAttach(&hook, &options);
        if (result < 0)
        {
            throw BpfException.From($"attaching BPF program {program.Name} to {Describe(interfaceIndex)} {Name(direction)}", result, mark);
        }

        return new TcAttachment(interfaceIndex, direction, options.Handle, options.Priority, options.ProgramId);
    }

    /// <summary>Our filter on one hook, with the id of the program it runs; null when there is none (or no clsact qdisc).</summary>
    public static unsafe TcAttachment? Query(int interfaceIndex, TcDirection direction)
    {
        ValidateIndex(interfaceIndex);
        ValidateDirection(direction);
        var hook = Hook(interfaceIndex, direction);
        var options = Options();
        var mark = LibbpfMessages.Mark();
        var result = Libbpf.TcQuery(&hook, &options);
        return result is -Errno.ENOENT or -Errno.EINVAL && InterfaceExists(interfaceIndex) ? null
            : result < 0 ? throw BpfException.From($"querying the tc filters of {Describe(interfaceIndex)} {Name(direction)}", result, mark)
            : new TcAttachment(interfaceIndex, direction, Handle, Priority, options.ProgramId);
    }

    /// <summary>Removes our filter from one hook; false when it was not there. Other filters and the qdisc stay.</summary>
    public static unsafe bool Detach(int interfaceIndex, TcDirection direction)
    {
        ValidateIndex(interfaceIndex);
        ValidateDirection(direction);
        var hook = Hook(interfaceIndex, direction);
        var options = Options();
        var mark = LibbpfMessages.Mark();
        var result = Libbpf.TcDetach(&hook, &options);
        return result is -Errno.ENOENT or -Errno.EINVAL && InterfaceExists(interfaceIndex) ? false
            : result < 0 ? throw BpfException.From($"detaching the tc filter of {Describe(interfaceIndex)} {Name(direction)}", result, mark)
            : true;
    }

    /// <summary>
    /// The index of interface <paramref name="name"/> in the calling thread's network namespace; an error naming it
    /// when there is no such interface.
    /// </summary>
    public static int InterfaceIndex(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 15 || name.Contains('/', StringComparison.Ordinal) || name.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"interface name '{name}' is not valid (1-15 characters, no '/' or white space)", nameof(name));
        }

        var index = LibC.IfNameToIndex(name);
        if (index == 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new BpfException($"interface {name} not found in this network namespace: {Errno.Describe(errno)}", errno);
        }

        return (int)index;
    }

    private static Libbpf.TcHook Hook(int interfaceIndex, TcDirection attachPoint) => new()
    {
        Size = (nuint)Marshal.SizeOf<Libbpf.TcHook>(),
        InterfaceIndex = interfaceIndex,
        AttachPoint = (int)attachPoint,
    };

    private static Libbpf.TcOptions Options() => new()
    {
        Size = (nuint)Marshal.SizeOf<Libbpf.TcOptions>(),
        Handle = Handle,
        Priority = Priority,
    };

    private static bool InterfaceExists(int interfaceIndex) => InterfaceName(interfaceIndex) is not null;

    /// <summary>The name of an interface of the calling thread's namespace, null when there is none with that index.</summary>
    public static unsafe string? InterfaceName(int interfaceIndex)
    {
        var name = stackalloc byte[16];
        return LibC.IfIndexToName((uint)interfaceIndex, name) == 0 ? null : BpfNames.FromFixed(name, 16);
    }

    /// <summary>"interface eth0 (index 2)", or one that says there is no such interface where we looked.</summary>
    private static string Describe(int interfaceIndex) =>
        InterfaceName(interfaceIndex) is { } name
            ? $"interface {name} (index {interfaceIndex})"
            : $"interface index {interfaceIndex} (no such interface in this network namespace)";

    private static string Name(TcDirection direction) => direction == TcDirection.Ingress ? "ingress" : "egress";

    private static void ValidateIndex(int interfaceIndex)
    {
        if (interfaceIndex <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(interfaceIndex), interfaceIndex, $"interface index {interfaceIndex} is not valid (must be positive)");
        }
    }

    private static void ValidateDirection(TcDirection direction)
    {
        if (direction is not (TcDirection.Ingress or TcDirection.Egress))
        {
            throw new ArgumentOutOfRangeException(nameof(direction), direction, $"tc direction {direction} is not valid (Ingress or Egress)");
        }
    }
}
