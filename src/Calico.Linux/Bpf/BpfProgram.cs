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

    /// <summary>
    /// Runs the program once in the kernel over <paramref name="packet"/> (BPF_PROG_TEST_RUN: for a tc program a whole
    /// Ethernet frame), without attaching it anywhere: the verdict, the packet as the program left it, and the time.
    /// </summary>
    public unsafe BpfTestRun TestRun(ReadOnlySpan<byte> packet, int repeat = 1)
    {
        var output = new byte[Math.Max(packet.Length + 256, 1514)];
        fixed (byte* input = packet)
        fixed (byte* outputBytes = output)
        {
            var options = new Libbpf.TestRunOptions
            {
                Size = (nuint)sizeof(Libbpf.TestRunOptions),
                DataIn = input,
                DataSizeIn = (uint)packet.Length,
                DataOut = outputBytes,
                DataSizeOut = (uint)output.Length,
                Repeat = repeat,
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
