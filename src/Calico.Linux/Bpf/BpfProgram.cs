using System.Runtime.InteropServices;
using Calico.Linux.Interop;

namespace Calico.Linux.Bpf;

/// <summary>
/// A loaded BPF program: one of a <see cref="BpfObject"/> (valid while the object is open), or one opened by its pin
/// path or by its kernel id, whose fd this instance owns and closes on dispose.
/// </summary>
public sealed class BpfProgram : IDisposable
{
    private const int SkBuffSize = 192; // sizeof(struct __sk_buff) in linux/bpf.h of 6.1
    private const int SkBuffIfindexOffset = 40;
    private const int SkBuffMarkOffset = 8;

    private readonly nint _program;
    private int _ownedFd = -1;

    internal BpfProgram(nint program, string name)
    {
        _program = program;
        Name = name;
    }

    private BpfProgram(int ownedFd, string name)
    {
        _ownedFd = ownedFd;
        Name = name;
    }

    public string Name { get; }

    /// <summary>The program's file descriptor once loaded (what tc attach and pinning take).</summary>
    public int Fd => _program != 0 ? Libbpf.ProgramFd(_program)
        : _ownedFd >= 0 ? _ownedFd
        : throw new ObjectDisposedException(nameof(BpfProgram), $"BPF program {Name} was disposed");

    /// <summary>Opens the program pinned at <paramref name="path"/>.</summary>
    public static BpfProgram OpenPinned(string path) => FromOwnedFd(BpfFilesystem.OpenPinned(path, "program"), path);

    /// <summary>Opens the loaded program with kernel id <paramref name="id"/> (e.g. what a tc query found on an interface).</summary>
    public static BpfProgram OpenById(uint id)
    {
        LibbpfMessages.EnsureInstalled();
        var mark = LibbpfMessages.Mark();
        var fd = Libbpf.ProgramGetFdById(id);
        return fd < 0 ? throw BpfException.From($"opening BPF program id {id}", fd, mark) : FromOwnedFd(fd, $"id {id}");
    }

    /// <summary>What the kernel says of the program with id <paramref name="id"/>; null when no such program is loaded.</summary>
    public static BpfProgramInfo? InfoById(uint id)
    {
        try
        {
            using var program = OpenById(id);
            return program.ReadInfo();
        }
        catch (BpfException ex) when (ex.Errno == Errno.ENOENT)
        {
            return null;
        }
    }

    internal static BpfProgram FromOwnedFd(int fd, string description)
    {
        try
        {
            BpfFdKind.Require(fd, "prog_type", "program", description);
            return new BpfProgram(fd, QueryInfo(fd, description).Name);
        }
        catch
        {
            _ = LibC.Close(fd);
            throw;
        }
    }

    /// <summary>What the kernel says of this program now: its id (what tc reports as attached), tag, name, type.</summary>
    public BpfProgramInfo ReadInfo() => QueryInfo(Fd, "BPF program " + Name);

    /// <summary>Pins this program at <paramref name="path"/> (on a bpffs), so it outlives the process.</summary>
    public void Pin(string path) => BpfFilesystem.Pin(Fd, path);

    /// <summary>
    /// Runs the program once in the kernel over <paramref name="packet"/> (BPF_PROG_TEST_RUN: for a tc program a whole
    /// Ethernet frame), without attaching it anywhere: the verdict, the packet as the program left it, and the time.
    /// A non-zero <paramref name="ifindex"/> runs a tc program as if the frame were on that interface (skb->ifindex; the
    /// kernel looks it up in the calling thread's network namespace, so run this inside the namespace that holds it);
    /// 0 leaves the kernel's default (loopback). <paramref name="skbMark"/>: the packet's skb->mark as the program sees it.
    /// </summary>
    public unsafe BpfTestRun TestRun(ReadOnlySpan<byte> packet, int repeat = 1, uint ifindex = 0, uint skbMark = 0)
    {
        var output = new byte[Math.Max(packet.Length + 256, 1514)];
        // struct __sk_buff as context: every field the kernel does not take must be zero; ifindex is at offset 40.
        var context = new byte[SkBuffSize];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(context.AsSpan(SkBuffIfindexOffset), ifindex);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(context.AsSpan(SkBuffMarkOffset), skbMark);
        bool withContext = ifindex != 0 || skbMark != 0;
        fixed (byte* input = packet)
        fixed (byte* outputBytes = output)
        fixed (byte* contextIn = context)
        {
            var options = new Libbpf.TestRunOptions
            {
                Size = (nuint)sizeof(Libbpf.TestRunOptions),
                DataIn = input,
                DataSizeIn = (uint)packet.Length,
                DataOut = outputBytes,
                DataSizeOut = (uint)output.Length,
                Repeat = repeat,
                ContextIn = withContext ? contextIn : null,
                ContextSizeIn = withContext ? (uint)context.Length : 0,
            };
            var mark = LibbpfMessages.Mark();
            var result = Libbpf.ProgramTestRun(Fd, &options);
            if (result < 0)
            {
                throw BpfException.From($"test run of BPF program {Name}", result, mark);
            }

            return new BpfTestRun((int)options.ReturnValue, output.AsSpan(0, (int)options.DataSizeOut).ToArray(), TimeSpan.FromTicks(options.Duration / 100)) { NanosecondsPerRun = options.Duration };
        }
    }

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _ownedFd, -1);
        if (fd >= 0 && LibC.Close(fd) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new BpfException($"closing BPF program {Name} (fd {fd}): {Errno.Describe(errno)}", errno);
        }
    }

    private static unsafe BpfProgramInfo QueryInfo(int fd, string description)
    {
        var info = default(Libbpf.ProgramInfo);
        var length = (uint)sizeof(Libbpf.ProgramInfo);
        var mark = LibbpfMessages.Mark();
        var result = Libbpf.ObjectGetInfoByFd(fd, &info, &length);
        if (result < 0)
        {
            throw BpfException.From($"reading BPF program info of {description}", result, mark);
        }

        return new BpfProgramInfo(info.Id, info.Type, Convert.ToHexStringLower(new ReadOnlySpan<byte>(info.Tag, 8)), BpfNames.FromFixed(info.Name, 16))
        {
            JitedLength = info.JitedLength,
        };
    }
}

/// <summary>What one BPF_PROG_TEST_RUN gave back: the program's return value (for tc: TC_ACT_*), the packet out, the time per run.</summary>
public sealed record BpfTestRun(int ReturnValue, byte[] PacketOut, TimeSpan DurationPerRun)
{
    /// <summary>The kernel's mean per run in nanoseconds (<see cref="DurationPerRun"/> is rounded to TimeSpan's 100 ns ticks).</summary>
    public ulong NanosecondsPerRun { get; init; }
}

/// <summary>
/// What the kernel says of a loaded program: its id (unique while loaded), type (enum bpf_prog_type), tag (a hash of
/// its instructions: the same object loaded twice has the same tag) and name (the first 15 bytes of the C function's).
/// </summary>
public sealed record BpfProgramInfo(uint Id, uint Type, string Tag, string Name)
{
    /// <summary>Bytes of machine code the JIT made of it; 0 when the kernel interprets it.</summary>
    public uint JitedLength { get; init; }
}
