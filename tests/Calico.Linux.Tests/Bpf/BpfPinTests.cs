using Calico.Linux.Bpf;
using Calico.TestKit;

namespace Calico.Linux.Tests.Bpf;

/// <summary>
/// bpffs and pins in a bpffs the test mounts under its own temp directory (never the machine's /sys/fs/bpf), unmounted
/// at the end: maps and programs outlive the object that loaded them, a process that created them, and are reopened
/// by path; a second load reuses a pinned map with its contents.
/// </summary>
[Trait("Tier", "Root")]
public sealed class BpfPinTests : IDisposable
{
    private readonly TempDirectory _dir = new("calico-bpfpin");
    private readonly string _bpffs;
    private bool _mounted;

    public BpfPinTests()
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
    public void EnsureMounted_MountsOnce_ThenOnlyCreatesDirectoriesOnIt()
    {
        Assert.True(_mounted);
        Assert.True(BpfFilesystem.IsBpfFs(_bpffs));
        Assert.False(BpfFilesystem.IsBpfFs(_dir.Path));
        Assert.Equal(BpfFilesystem.BpfFsMagic, BpfFilesystem.FileSystemMagic(_bpffs));
        Assert.Contains(_bpffs + " bpf ", File.ReadAllText("/proc/self/mounts"), StringComparison.Ordinal);

        Assert.False(BpfFilesystem.EnsureMounted(_bpffs));
        var nested = Path.Combine(_bpffs, "calico", "tc");
        Assert.False(BpfFilesystem.EnsureMounted(nested));
        Assert.True(Directory.Exists(nested));
        Assert.Single(File.ReadAllLines("/proc/self/mounts"), line => line.Contains(" " + _bpffs, StringComparison.Ordinal));

        Assert.Contains("absolute", Assert.Throws<ArgumentException>(() => BpfFilesystem.EnsureMounted("relative/bpf")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void APinnedMap_OutlivesItsObject_AndIsReopenedByPathWithItsContents()
    {
        var pin = Path.Combine(_bpffs, "seen");
        var objectFile = BpfTestPrograms.Compile("bpf/test/count_all.c", _dir.Path);
        uint firstId;
        using (var bpf = BpfObject.Open(objectFile))
        {
            bpf.Map("seen").SetPinPath(pin);
            bpf.Load();
            bpf.Map("seen").Update(Key(0), Value(42));
            firstId = bpf.Map("seen").ReadInfo().Id;
        }

        Assert.True(File.Exists(pin));
        using (var reopened = BpfMap.OpenPinned(pin))
        {
            Assert.Equal(42UL, BitConverter.ToUInt64(reopened.Lookup(Key(0))!));
            Assert.Equal((4, 8), (reopened.KeySize, reopened.ValueSize));
            Assert.Equal("seen", reopened.Name);
            Assert.Equal(firstId, reopened.ReadInfo().Id);
            reopened.Update(Key(0), Value(43));
            Assert.Throws<InvalidOperationException>(() => reopened.SetPinPath(pin));
        }

        // Read-only (what calico-node -bpf opens): lookups and walks work, the kernel refuses writes and deletes.
        using (var readOnly = BpfMap.OpenPinned(pin, readOnly: true))
        {
            Assert.Equal(43UL, BitConverter.ToUInt64(readOnly.Lookup(Key(0))!));
            Assert.Single(readOnly.Keys());
            Assert.Equal(1, Assert.Throws<BpfException>(() => readOnly.Update(Key(0), Value(44))).Errno);
            Assert.Equal(1, Assert.Throws<BpfException>(() => readOnly.Delete(Key(0))).Errno);
        }

        // A second load of the same object with the same pin path reuses the map: same id, contents kept.
        using (var again = BpfObject.Open(objectFile))
        {
            again.Map("seen").SetPinPath(pin);
            again.Load();
            Assert.Equal(firstId, again.Map("seen").ReadInfo().Id);
            Assert.Equal(43UL, BitConverter.ToUInt64(again.Map("seen").Lookup(Key(0))!));
        }

        Assert.True(BpfFilesystem.Unpin(pin));
        Assert.False(BpfFilesystem.Unpin(pin));
        var gone = Assert.Throws<BpfException>(() => BpfMap.OpenPinned(pin));
        Assert.Contains(pin, gone.Message, StringComparison.Ordinal);
        Assert.Equal(2, gone.Errno);
    }

    [Fact]
    public void APinnedMapOfAnotherShape_FailsTheLoad_NamingTheMap_AndIsLeftAsItWas()
    {
        var pin = Path.Combine(_bpffs, "seen");
        var objectFile = BpfTestPrograms.Compile("bpf/test/count_all.c", _dir.Path);
        using (var first = BpfObject.Open(objectFile))
        {
            first.Map("seen").SetPinPath(pin);
            first.Load();
            first.Map("seen").Update(Key(0), Value(5));
        }

        using (var resized = BpfObject.Open(objectFile))
        {
            resized.Map("seen").SetPinPath(pin);
            resized.Map("seen").SetMaxEntries(2);
            var refused = Assert.Throws<BpfException>(resized.Load);
            Assert.Contains("seen", refused.Message, StringComparison.Ordinal);
            Assert.Contains("mismatch", refused.Message, StringComparison.Ordinal);
        }

        using var kept = BpfMap.OpenPinned(pin);
        Assert.Equal((1u, 5UL), (kept.ReadInfo().MaxEntries, BitConverter.ToUInt64(kept.Lookup(Key(0))!)));
    }

    [Fact]
    public void AMapPinnedByAChildProcessThatExited_IsReadByPath()
    {
        var pin = Path.Combine(_bpffs, "from_child");
        var bpftool = Prerequisites.Find("bpftool") ?? throw new InvalidOperationException("bpftool not found: install Debian package bpftool");
        Run(bpftool, "map", "create", pin, "type", "hash", "key", "4", "value", "8", "entries", "16", "name", "from_child");
        Run(bpftool, "map", "update", "pinned", pin, "key", "7", "0", "0", "0", "value", "9", "0", "0", "0", "0", "0", "0", "0");

        using var map = BpfMap.OpenPinned(pin);
        Assert.Equal("from_child", map.Name);
        Assert.Equal(9UL, BitConverter.ToUInt64(map.Lookup(Key(7))!));
        Assert.Null(map.Lookup(Key(8)));
        Assert.Single(map.Keys());
        Assert.Contains("is not a BPF program", Assert.Throws<BpfException>(() => BpfProgram.OpenPinned(pin)).Message, StringComparison.Ordinal);
        map.Dispose();
        Assert.Throws<ObjectDisposedException>(() => map.Lookup(Key(7)));
    }

    [Fact]
    public void APinnedProgram_OutlivesItsObject_AndIsReopenedByPathAndById()
    {
        var pin = Path.Combine(_bpffs, "count_all");
        uint id;
        string tag;
        using (var bpf = BpfObject.Load(BpfTestPrograms.Compile("bpf/test/count_all.c", _dir.Path)))
        {
            var program = bpf.Program("count_all");
            program.Pin(pin);
            (id, tag) = (program.ReadInfo().Id, program.ReadInfo().Tag);
        }

        using var reopened = BpfProgram.OpenPinned(pin);
        var info = reopened.ReadInfo();
        Assert.Equal((id, tag, "count_all"), (info.Id, info.Tag, info.Name));
        Assert.Equal(0, reopened.TestRun(new byte[64]).ReturnValue);
        Assert.Equal(id, BpfProgram.InfoById(id)!.Id);
        Assert.Contains("is not a BPF map", Assert.Throws<BpfException>(() => BpfMap.OpenPinned(pin)).Message, StringComparison.Ordinal);
        Assert.True(BpfFilesystem.Unpin(pin));
        Assert.Throws<BpfException>(() => BpfMap.OpenPinned(pin));
    }

    private static byte[] Key(uint key) => BitConverter.GetBytes(key);

    private static byte[] Value(ulong value) => BitConverter.GetBytes(value);

    private static void Run(string program, params string[] arguments)
    {
        var (exit, _, error) = IpTool.RunProcess(program, arguments, throwOnError: false);
        Assert.True(exit == 0, $"{program} {string.Join(' ', arguments)}: {error}");
    }

    public void Dispose()
    {
        if (_mounted)
        {
            BpfFilesystem.Unmount(_bpffs);
            _mounted = false;
        }

        _dir.Dispose();
    }
}
