using Calico.Linux.Interop;

namespace Calico.Linux.Bpf;

/// <summary>A program of a loaded <see cref="BpfObject"/> (valid while the object is open).</summary>
public sealed class BpfProgram
{
    private readonly nint _program;

    internal BpfProgram(nint program, string name)
    {
        _program = program;
        Name = name;
    }

    public string Name { get; }

    /// <summary>The program's file descriptor once loaded (what tc attach and pinning take).</summary>
    public int Fd => Libbpf.ProgramFd(_program);

    private const int SkBuffSize = 192; // sizeof(struct __sk_buff) in linux/bpf.h of 6.1
    private const int SkBuffIfindexOffset = 40;

    /// <summary>
    /// Runs the program once in the kernel over <paramref name="packet"/> (BPF_PROG_TEST_RUN: for a tc program a whole
    /// Ethernet frame), without attaching it anywhere: the verdict, the packet as the program left it, and the time.
    /// A non-zero <paramref name="ifindex"/> runs a tc program as if the frame were on that interface (skb->ifindex; the
    /// kernel looks it up in the calling thread's network namespace, so run this inside the namespace that holds it);
    /// 0 leaves the kernel's default (loopback).
    /// </summary>
    public unsafe BpfTestRun TestRun(ReadOnlySpan<byte> packet, int repeat = 1, uint ifindex = 0)
    {
        var output = new byte[Math.Max(packet.Length + 256, 1514)];
        // struct __sk_buff as context: every field the kernel does not take must be zero; ifindex is at offset 40.
        var context = new byte[SkBuffSize];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(context.AsSpan(SkBuffIfindexOffset), ifindex);
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
                ContextIn = ifindex == 0 ? null : contextIn,
                ContextSizeIn = ifindex == 0 ? 0 : (uint)context.Length,
            };
            var mark = LibbpfMessages.Mark();
            var result = Libbpf.ProgramTestRun(Fd, &options);
            if (result < 0)
            {
                throw BpfException.From($"test run of BPF program {Name}", result, mark);
            }

            return new BpfTestRun((int)options.ReturnValue, output.AsSpan(0, (int)options.DataSizeOut).ToArray(), TimeSpan.FromTicks(options.Duration / 100));
        }
    }
}

/// <summary>What one BPF_PROG_TEST_RUN gave back: the program's return value (for tc: TC_ACT_*), the packet out, the time per run.</summary>
public sealed record BpfTestRun(int ReturnValue, byte[] PacketOut, TimeSpan DurationPerRun);
