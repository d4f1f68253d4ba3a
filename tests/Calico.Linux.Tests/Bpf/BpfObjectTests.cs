using Calico.Linux.Bpf;
using Calico.TestKit;

namespace Calico.Linux.Tests.Bpf;

/// <summary>
/// libbpf through <see cref="BpfObject"/>: a program compiled from bpf/test, loaded by the kernel's verifier, run over
/// hand-made frames with BPF_PROG_TEST_RUN (nothing attached anywhere), its map read back.
/// </summary>
[Trait("Tier", "Root")]
public sealed class BpfObjectTests : IDisposable
{
    private const int TcActOk = 0;
    private const int TcActShot = 2;
    private readonly TempDirectory _dir = new("calico-bpf");

    [Fact]
    public void LoadsATcProgram_RunsItOverFrames_AndReadsItsCountersBack()
    {
        if (!RootOnly())
        {
            return;
        }

        using var bpf = BpfObject.Load(BpfTestPrograms.Compile("bpf/test/count_and_drop_udp.c", _dir.Path));
        Assert.Contains("count_and_drop_udp", bpf.ProgramNames());
        var program = bpf.Program("count_and_drop_udp");
        var verdicts = bpf.Map("verdicts");

        Assert.Equal(TcActShot, program.TestRun(Ipv4Frame(protocol: 17)).ReturnValue);
        Assert.Equal(TcActOk, program.TestRun(Ipv4Frame(protocol: 6)).ReturnValue);
        Assert.Equal(TcActOk, program.TestRun(Ipv4Frame(protocol: 6), repeat: 3).ReturnValue);

        Assert.Equal(4UL, BitConverter.ToUInt64(verdicts.Lookup(BitConverter.GetBytes(0u))!));
        Assert.Equal(1UL, BitConverter.ToUInt64(verdicts.Lookup(BitConverter.GetBytes(1u))!));
        Assert.Equal(2, verdicts.Keys().Count);
    }

    [Fact]
    public void AMissingObjectFile_AndAMissingProgramOrMap_AreErrorsThatNameThem()
    {
        if (!RootOnly())
        {
            return;
        }

        var missing = Assert.Throws<BpfException>(() => BpfObject.Load(_dir.File("absent.o")));
        Assert.Contains("absent.o", missing.Message, StringComparison.Ordinal);
        Assert.Equal(2, missing.Errno);

        using var bpf = BpfObject.Load(BpfTestPrograms.Compile("bpf/test/count_and_drop_udp.c", _dir.Path));
        Assert.Contains("no program named nope", Assert.Throws<BpfException>(() => bpf.Program("nope")).Message, StringComparison.Ordinal);
        Assert.Contains("no map named nope", Assert.Throws<BpfException>(() => bpf.Map("nope")).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => bpf.Map("verdicts").Update(new byte[2], new byte[8]));
    }

    private static byte[] Ipv4Frame(byte protocol)
    {
        var frame = new byte[14 + 20 + 8];
        frame[12] = 0x08; // EtherType IPv4
        frame[14] = 0x45;
        frame[16] = 0;
        frame[17] = 28; // total length
        frame[22] = 64; // TTL
        frame[23] = protocol;
        new byte[] { 10, 0, 0, 1, 10, 0, 0, 2 }.CopyTo(frame, 26);
        return frame;
    }

    private static bool RootOnly() =>
        Environment.UserName == "root" || (Environment.GetEnvironmentVariable("CI") == "true" ? throw new InvalidOperationException("BPF tests need root (CI=true: a missing prerequisite fails)") : false);

    public void Dispose() => _dir.Dispose();
}
