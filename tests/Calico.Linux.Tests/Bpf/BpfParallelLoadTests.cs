using Calico.Linux.Bpf;
using Calico.TestKit;

namespace Calico.Linux.Tests.Bpf;

/// <summary>
/// <see cref="BpfObject.LoadInParallel"/>: every program of an object loaded by an open of its own, in parallel, all of
/// them on the maps the object pinned (in a bpffs the test mounts under its temp directory, unmounted at the end); a
/// map without a pin path refused before anything loads; a program the verifier refuses fails the load, named.
/// </summary>
[Trait("Tier", "Root")]
public sealed class BpfParallelLoadTests : IDisposable
{
    private readonly TempDirectory _dir = new("calico-bpfpar");
    private readonly string _bpffs;
    private readonly bool _mounted;

    public BpfParallelLoadTests()
    {
        _bpffs = _dir.File("bpffs");
        try
        {
            IpTool.RequireRootTier();
            _mounted = BpfFilesystem.EnsureMounted(_bpffs);
        }
        catch
        {
            _dir.Dispose();
            throw;
        }
    }

    [Fact]
    public void EveryProgram_IsLoaded_AndAllWriteThePinnedMap_AsResized()
    {
        var pin = Path.Combine(_bpffs, "counts");
        using (var bpf = BpfObject.Open(BpfTestPrograms.Compile("bpf/test/three_counters.c", _dir.Path)))
        {
            bpf.Map("counts").SetPinPath(pin);
            bpf.Map("counts").SetMaxEntries(8); // each program's open must repeat it, or libbpf would not reuse the pin
            bpf.LoadInParallel();

            var programs = new[] { "count_first", "count_second", "count_third" }.Select(bpf.Program).ToList();
            Assert.Equal(3, programs.Select(p => p.ReadInfo().Id).Distinct().Count());
            for (var i = 0; i < programs.Count; i++)
            {
                Assert.Equal(TcActOk, programs[i].TestRun(Frame, repeat: i + 1).ReturnValue);
            }

            // The object's own map is the pinned one the programs wrote.
            Assert.Equal(new ulong[] { 1, 2, 3 }, Enumerable.Range(0, 3).Select(slot => Count(bpf.Map("counts"), slot)));
        }

        using var pinned = BpfMap.OpenPinned(pin);
        Assert.Equal(8u, pinned.ReadInfo().MaxEntries);
        Assert.Equal(new ulong[] { 1, 2, 3 }, Enumerable.Range(0, 3).Select(slot => Count(pinned, slot)));
    }

    [Fact]
    public void AMapWithoutAPinPath_IsRefused_BeforeAnythingLoads()
    {
        using var bpf = BpfObject.Open(BpfTestPrograms.Compile("bpf/test/three_counters.c", _dir.Path));

        var refused = Assert.Throws<InvalidOperationException>(() => bpf.LoadInParallel());

        Assert.Contains("map counts has no pin path", refused.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => bpf.LoadInParallel(-1));
        bpf.Map("counts").SetPinPath(Path.Combine(_bpffs, "counts-late"));
        bpf.LoadInParallel(parallelism: 1); // nothing was loaded: it still can be
        Assert.Equal(TcActOk, bpf.Program("count_second").TestRun(Frame).ReturnValue);
        Assert.Throws<InvalidOperationException>(() => bpf.LoadInParallel());
    }

    [Fact]
    public void AProgramTheVerifierRefuses_FailsTheLoad_NamingIt_WithTheVerifiersWords()
    {
        using var bpf = BpfObject.Open(BpfTestPrograms.Compile("bpf/test/one_refused.c", _dir.Path));
        bpf.Map("seen").SetPinPath(Path.Combine(_bpffs, "seen"));

        var refused = Assert.Throws<BpfException>(() => bpf.LoadInParallel());

        Assert.StartsWith("loading BPF program refused of ", refused.Message, StringComparison.Ordinal);
        Assert.Contains("invalid access to packet", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'accepted'", refused.Message, StringComparison.Ordinal);
        Assert.Equal(13, refused.Errno); // EACCES: the verifier's refusal
        Assert.True(File.Exists(Path.Combine(_bpffs, "seen"))); // the maps were pinned first, and stay, as after Load()
    }

    private const int TcActOk = 0;

    /// <summary>An Ethernet header and a little payload: what a tc program's test run needs at least.</summary>
    private static readonly byte[] Frame = new byte[64];

    private static ulong Count(BpfMap map, int slot) => BitConverter.ToUInt64(map.Lookup(BitConverter.GetBytes((uint)slot))!);

    public void Dispose()
    {
        try
        {
            if (_mounted)
            {
                BpfFilesystem.Unmount(_bpffs);
            }
        }
        finally
        {
            _dir.Dispose();
        }
    }
}
