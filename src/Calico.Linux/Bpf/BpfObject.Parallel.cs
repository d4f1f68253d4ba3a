using System.Runtime.InteropServices;
using Calico.Linux.Interop;

namespace Calico.Linux.Bpf;

/// <summary>
/// Loading an object's programs in parallel. libbpf's <c>bpf_object__load</c> verifies an object's programs one after
/// another, and the verifier (one thread per BPF_PROG_LOAD) is most of a start's cost. So: this object is loaded with
/// no program (it creates the maps, or reuses their pins, and pins them), then the same file is opened once more per
/// program, each open loading only its own program against the pinned maps, on as many threads as there are cores.
/// </summary>
public sealed partial class BpfObject
{
    /// <summary>Per program name, the extra open of this file that loaded it (only after <see cref="LoadInParallel"/>).</summary>
    private Dictionary<string, nint>? _programObjects;

    /// <summary>
    /// Loads as <see cref="Load()"/> does (every program verified, every map created or reused from its pin), the
    /// programs each in an object of their own, verified in parallel (at most <paramref name="parallelism"/> at once;
    /// 0: one per core). Every map must have a pin path set (the programs find each other's maps by it), except an
    /// internal read-only one (.rodata, .kconfig: the same constants in every open); each program's open gets this
    /// object's pin paths and sizes. A program the verifier refuses fails the load, named, with libbpf's messages about
    /// it (the verifier's log); the other opens are closed again, and the pins stay, as after a failed
    /// <see cref="Load()"/>.
    /// </summary>
    public void LoadInParallel(int parallelism = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parallelism);
        if (_programObjects is not null)
        {
            throw new InvalidOperationException($"BPF object {Path} is already loaded");
        }

        var maps = SharedMapSettings();
        var programs = ProgramNames();
        for (var p = Libbpf.ObjectNextProgram(Handle, 0); p != 0; p = Libbpf.ObjectNextProgram(Handle, p))
        {
            _ = Libbpf.ProgramSetAutoload(p, false);
        }

        Load(); // the maps alone: created (or reused) and pinned before any program's open looks for them

        var opened = new nint[programs.Count];
        var failures = new BpfException?[programs.Count];
        Parallel.For(
            0,
            programs.Count,
            new ParallelOptions { MaxDegreeOfParallelism = parallelism == 0 ? Environment.ProcessorCount : parallelism },
            i => (opened[i], failures[i]) = LoadOne(programs[i], maps));
        _programObjects = new Dictionary<string, nint>(StringComparer.Ordinal);
        for (var i = 0; i < programs.Count; i++)
        {
            if (opened[i] != 0)
            {
                _programObjects[programs[i]] = opened[i];
            }
        }

        if (failures.FirstOrDefault(f => f is not null) is { } failure)
        {
            CloseProgramObjects();
            throw failure;
        }
    }

    /// <summary>Each map's pin path and size, as the program opens must repeat them; refuses a map nothing would share.</summary>
    private Dictionary<string, (string PinPath, uint MaxEntries)> SharedMapSettings()
    {
        var settings = new Dictionary<string, (string, uint)>(StringComparer.Ordinal);
        for (var m = Libbpf.ObjectNextMap(Handle, 0); m != 0; m = Libbpf.ObjectNextMap(Handle, m))
        {
            var name = Marshal.PtrToStringUTF8(Libbpf.MapName(m)) ?? "";
            var pinPath = Marshal.PtrToStringUTF8(Libbpf.MapPinPath(m));
            if (pinPath is not null)
            {
                settings[name] = (pinPath, Libbpf.MapMaxEntries(m));
            }
            else if (!Libbpf.MapIsInternal(m) || !(name.EndsWith(".rodata", StringComparison.Ordinal) || name.EndsWith(".kconfig", StringComparison.Ordinal)))
            {
                throw new InvalidOperationException(
                    $"BPF object {Path}: map {name} has no pin path: its programs loaded in parallel would each get a map of their own (set one, or use Load())");
            }
        }

        return settings;
    }

    /// <summary>Opens the file again and loads <paramref name="program"/> alone; the open (0 when it failed) and the failure.</summary>
    private (nint Object, BpfException? Failure) LoadOne(string program, Dictionary<string, (string PinPath, uint MaxEntries)> maps)
    {
        var mark = LibbpfMessages.Mark();
        var handle = Libbpf.ObjectOpenFile(Path, 0);
        if (handle == 0)
        {
            return (0, BpfException.From($"opening BPF object {Path} for program {program}", Marshal.GetLastPInvokeError(), mark));
        }

        try
        {
            for (var m = Libbpf.ObjectNextMap(handle, 0); m != 0; m = Libbpf.ObjectNextMap(handle, m))
            {
                if (maps.TryGetValue(Marshal.PtrToStringUTF8(Libbpf.MapName(m)) ?? "", out var shared))
                {
                    Check(Libbpf.MapSetPinPath(m, shared.PinPath), "setting a map's pin path");
                    Check(Libbpf.MapSetMaxEntries(m, shared.MaxEntries), "setting a map's max entries");
                }
            }

            for (var p = Libbpf.ObjectNextProgram(handle, 0); p != 0; p = Libbpf.ObjectNextProgram(handle, p))
            {
                Check(Libbpf.ProgramSetAutoload(p, Marshal.PtrToStringUTF8(Libbpf.ProgramName(p)) == program), "setting a program's autoload");
            }

            var result = Libbpf.ObjectLoad(handle);
            if (result < 0)
            {
                throw BpfException.From($"loading BPF program {program} of {Path}", result, mark, $"'{program}'");
            }

            return (handle, null);
        }
        catch (BpfException e)
        {
            Libbpf.ObjectClose(handle);
            return (0, e);
        }

        void Check(int result, string what)
        {
            if (result < 0)
            {
                throw BpfException.From($"{what} in BPF object {Path} for program {program}", result, mark);
            }
        }
    }

    /// <summary>The libbpf object that loaded <paramref name="program"/>: its own open after <see cref="LoadInParallel"/>.</summary>
    private nint ProgramHandle(string program) =>
        _programObjects is not null && _programObjects.TryGetValue(program, out var handle) ? handle : Handle;

    private void CloseProgramObjects()
    {
        var programObjects = Interlocked.Exchange(ref _programObjects, null);
        foreach (var handle in programObjects?.Values ?? Enumerable.Empty<nint>())
        {
            Libbpf.ObjectClose(handle);
        }
    }
}
