using System.Runtime.InteropServices;
using Calico.Linux.Interop;

namespace Calico.Linux.Bpf;

/// <summary>
/// One compiled BPF object file (clang <c>-target bpf</c>), opened and loaded through libbpf: its programs and maps by
/// name. Disposing closes libbpf's handles; what was pinned or attached stays in the kernel. Loaded either whole
/// (<see cref="Load()"/>) or with its programs verified in parallel (<see cref="LoadInParallel"/>).
/// </summary>
public sealed partial class BpfObject : IDisposable
{
    private nint _handle;

    private BpfObject(nint handle, string path)
    {
        _handle = handle;
        Path = path;
    }

    public string Path { get; }

    /// <summary>Opens an object file without loading it, so maps can be sized or given pin paths first.</summary>
    public static BpfObject Open(string path)
    {
        LibbpfMessages.EnsureInstalled();
        var mark = LibbpfMessages.Mark();
        var handle = Libbpf.ObjectOpenFile(path, 0);
        if (handle == 0)
        {
            throw BpfException.From($"opening BPF object {path}", Marshal.GetLastPInvokeError(), mark);
        }

        return new BpfObject(handle, path);
    }

    /// <summary>Opens and loads: every program through the verifier, every map created (or reused from its pin path).</summary>
    public static BpfObject Load(string path)
    {
        var bpfObject = Open(path);
        try
        {
            bpfObject.Load();
            return bpfObject;
        }
        catch
        {
            bpfObject.Dispose();
            throw;
        }
    }

    public void Load()
    {
        var mark = LibbpfMessages.Mark();
        var result = Libbpf.ObjectLoad(Handle);
        if (result < 0)
        {
            throw BpfException.From($"loading BPF object {Path}", result, mark);
        }
    }

    public BpfProgram Program(string name)
    {
        var program = Libbpf.ObjectFindProgramByName(ProgramHandle(name), name);
        return program == 0
            ? throw new BpfException($"BPF object {Path} has no program named {name}", Errno.ENOENT)
            : new BpfProgram(program, name);
    }

    public BpfMap Map(string name)
    {
        var map = Libbpf.ObjectFindMapByName(Handle, name);
        return map == 0
            ? throw new BpfException($"BPF object {Path} has no map named {name}", Errno.ENOENT)
            : new BpfMap(map, name);
    }

    public IReadOnlyList<string> ProgramNames()
    {
        var names = new List<string>();
        for (var p = Libbpf.ObjectNextProgram(Handle, 0); p != 0; p = Libbpf.ObjectNextProgram(Handle, p))
        {
            names.Add(Marshal.PtrToStringUTF8(Libbpf.ProgramName(p)) ?? "");
        }

        return names;
    }

    public IReadOnlyList<string> MapNames()
    {
        var names = new List<string>();
        for (var m = Libbpf.ObjectNextMap(Handle, 0); m != 0; m = Libbpf.ObjectNextMap(Handle, m))
        {
            names.Add(Marshal.PtrToStringUTF8(Libbpf.MapName(m)) ?? "");
        }

        return names;
    }

    private nint Handle => _handle != 0 ? _handle : throw new ObjectDisposedException(nameof(BpfObject));

    public void Dispose()
    {
        CloseProgramObjects();
        var handle = Interlocked.Exchange(ref _handle, 0);
        if (handle != 0)
        {
            Libbpf.ObjectClose(handle);
        }
    }
}
