using System.Runtime.InteropServices;

namespace Calico.Linux.Interop;

/// <summary>
/// The libbpf 1.x calls the BPF dataplane needs (Debian's <c>libbpf1</c>; its soname, since the unversioned
/// <c>libbpf.so</c> link only comes with <c>libbpf-dev</c>). In libbpf 1.0 mode every call that fails returns a
/// negative errno (or NULL with errno set), which is what these signatures expect.
/// </summary>
internal static unsafe partial class Libbpf
{
    private const string Lib = "libbpf.so.1";

    [LibraryImport(Lib, EntryPoint = "bpf_object__open_file", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint ObjectOpenFile(string path, nint options);

    [LibraryImport(Lib, EntryPoint = "bpf_object__load")]
    public static partial int ObjectLoad(nint bpfObject);

    [LibraryImport(Lib, EntryPoint = "bpf_object__close")]
    public static partial void ObjectClose(nint bpfObject);

    [LibraryImport(Lib, EntryPoint = "bpf_object__find_program_by_name", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint ObjectFindProgramByName(nint bpfObject, string name);

    [LibraryImport(Lib, EntryPoint = "bpf_object__find_map_by_name", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint ObjectFindMapByName(nint bpfObject, string name);

    [LibraryImport(Lib, EntryPoint = "bpf_object__next_program")]
    public static partial nint ObjectNextProgram(nint bpfObject, nint previous);

    [LibraryImport(Lib, EntryPoint = "bpf_object__next_map")]
    public static partial nint ObjectNextMap(nint bpfObject, nint previous);

    [LibraryImport(Lib, EntryPoint = "bpf_program__fd")]
    public static partial int ProgramFd(nint program);

    [LibraryImport(Lib, EntryPoint = "bpf_program__name")]
    public static partial nint ProgramName(nint program);

    [LibraryImport(Lib, EntryPoint = "bpf_program__set_autoload")]
    public static partial int ProgramSetAutoload(nint program, [MarshalAs(UnmanagedType.U1)] bool autoload);

    [LibraryImport(Lib, EntryPoint = "bpf_program__set_log_buf")]
    public static partial int ProgramSetLogBuffer(nint program, byte* buffer, nuint size);

    [LibraryImport(Lib, EntryPoint = "bpf_program__set_log_level")]
    public static partial int ProgramSetLogLevel(nint program, uint level);

    [LibraryImport(Lib, EntryPoint = "bpf_map__fd")]
    public static partial int MapFd(nint map);

    [LibraryImport(Lib, EntryPoint = "bpf_map__name")]
    public static partial nint MapName(nint map);

    [LibraryImport(Lib, EntryPoint = "bpf_map__key_size")]
    public static partial uint MapKeySize(nint map);

    [LibraryImport(Lib, EntryPoint = "bpf_map__value_size")]
    public static partial uint MapValueSize(nint map);

    [LibraryImport(Lib, EntryPoint = "bpf_map__type")]
    public static partial uint MapType(nint map);

    [LibraryImport(Lib, EntryPoint = "bpf_map__max_entries")]
    public static partial uint MapMaxEntries(nint map);

    [LibraryImport(Lib, EntryPoint = "bpf_map__map_flags")]
    public static partial uint MapFlags(nint map);

    [LibraryImport(Lib, EntryPoint = "bpf_map__set_pin_path", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MapSetPinPath(nint map, string? path);

    /// <summary>bpf_map__pin_path: the pin path set (or null).</summary>
    [LibraryImport(Lib, EntryPoint = "bpf_map__pin_path")]
    public static partial nint MapPinPath(nint map);

    /// <summary>bpf_map__is_internal: true for the maps libbpf makes of global data (.rodata, .data, .bss, .kconfig).</summary>
    [LibraryImport(Lib, EntryPoint = "bpf_map__is_internal")]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool MapIsInternal(nint map);

    [LibraryImport(Lib, EntryPoint = "bpf_map__set_max_entries")]
    public static partial int MapSetMaxEntries(nint map, uint maxEntries);

    [LibraryImport(Lib, EntryPoint = "bpf_map_update_elem")]
    public static partial int MapUpdateElement(int fd, void* key, void* value, ulong flags);

    [LibraryImport(Lib, EntryPoint = "bpf_map_lookup_elem")]
    public static partial int MapLookupElement(int fd, void* key, void* value);

    [LibraryImport(Lib, EntryPoint = "bpf_map_delete_elem")]
    public static partial int MapDeleteElement(int fd, void* key);

    [LibraryImport(Lib, EntryPoint = "bpf_map_get_next_key")]
    public static partial int MapGetNextKey(int fd, void* key, void* nextKey);

    /// <summary>bpf_map_lookup_batch (opts may be null): up to *count entries from the in_batch cursor (null: the start).</summary>
    [LibraryImport(Lib, EntryPoint = "bpf_map_lookup_batch")]
    public static partial int MapLookupBatch(int fd, void* inBatch, void* outBatch, void* keys, void* values, uint* count, void* opts);

    /// <summary>bpf_map_delete_batch (opts may be null): deletes *count keys, stopping at the first that fails; *count says how many went.</summary>
    [LibraryImport(Lib, EntryPoint = "bpf_map_delete_batch")]
    public static partial int MapDeleteBatch(int fd, void* keys, uint* count, void* opts);

    /// <summary>ring_buffer__new (opts may be null): a consumer of the BPF_MAP_TYPE_RINGBUF map behind mapFd, calling sample for each record.</summary>
    [LibraryImport(Lib, EntryPoint = "ring_buffer__new")]
    public static partial nint RingBufferNew(int mapFd, delegate* unmanaged<nint, nint, nuint, int> sample, nint context, nint opts);

    /// <summary>ring_buffer__poll: waits up to timeoutMs (epoll) and consumes; the records consumed, or a negative errno.</summary>
    [LibraryImport(Lib, EntryPoint = "ring_buffer__poll")]
    public static partial int RingBufferPoll(nint ring, int timeoutMs);

    /// <summary>ring_buffer__consume: consumes what is there without waiting; the records consumed, or a negative errno.</summary>
    [LibraryImport(Lib, EntryPoint = "ring_buffer__consume")]
    public static partial int RingBufferConsume(nint ring);

    [LibraryImport(Lib, EntryPoint = "ring_buffer__free")]
    public static partial void RingBufferFree(nint ring);

    [LibraryImport(Lib, EntryPoint = "bpf_prog_test_run_opts")]
    public static partial int ProgramTestRun(int programFd, TestRunOptions* options);

    [LibraryImport(Lib, EntryPoint = "bpf_obj_pin", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ObjectPin(int fd, string path);

    [LibraryImport(Lib, EntryPoint = "bpf_obj_get", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ObjectGet(string path);

    /// <summary>bpf_obj_get_opts (libbpf 1.0): <see cref="ObjectGetOptions.FileFlags"/> BPF_F_RDONLY gives a read-only fd.</summary>
    [LibraryImport(Lib, EntryPoint = "bpf_obj_get_opts", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ObjectGetWithOptions(string path, ObjectGetOptions* options);

    /// <summary>BPF_F_RDONLY: the kernel refuses updates and deletes through the fd.</summary>
    public const uint ReadOnlyFileFlag = 1u << 3;

    /// <summary>bpf_obj_get_info_by_fd: the kernel fills at most <paramref name="length"/> bytes of a bpf_*_info struct.</summary>
    [LibraryImport(Lib, EntryPoint = "bpf_obj_get_info_by_fd")]
    public static partial int ObjectGetInfoByFd(int fd, void* info, uint* length);

    [LibraryImport(Lib, EntryPoint = "bpf_prog_get_fd_by_id")]
    public static partial int ProgramGetFdById(uint id);

    [LibraryImport(Lib, EntryPoint = "bpf_prog_load", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ProgramLoad(int programType, string name, string license, ulong* instructions, nuint count, nint options);

    [LibraryImport(Lib, EntryPoint = "bpf_tc_hook_create")]
    public static partial int TcHookCreate(TcHook* hook);

    [LibraryImport(Lib, EntryPoint = "bpf_tc_hook_destroy")]
    public static partial int TcHookDestroy(TcHook* hook);

    [LibraryImport(Lib, EntryPoint = "bpf_tc_attach")]
    public static partial int TcAttach(TcHook* hook, TcOptions* options);

    [LibraryImport(Lib, EntryPoint = "bpf_tc_detach")]
    public static partial int TcDetach(TcHook* hook, TcOptions* options);

    [LibraryImport(Lib, EntryPoint = "bpf_tc_query")]
    public static partial int TcQuery(TcHook* hook, TcOptions* options);

    /// <summary>1 = the kernel loads a trivial program of this type, 0 = it does not, negative = the probe itself failed.</summary>
    [LibraryImport(Lib, EntryPoint = "libbpf_probe_bpf_prog_type")]
    public static partial int ProbeProgramType(int programType, nint options);

    /// <summary>1 = programs of this type may call the helper, 0 = they may not, negative = the probe itself failed.</summary>
    [LibraryImport(Lib, EntryPoint = "libbpf_probe_bpf_helper")]
    public static partial int ProbeHelper(int programType, int helperId, nint options);

    [LibraryImport(Lib, EntryPoint = "libbpf_set_print")]
    public static partial nint SetPrint(delegate* unmanaged<int, nint, nint, int> printer);

    [LibraryImport("libc", EntryPoint = "vsnprintf")]
    public static partial int VsnPrintf(byte* buffer, nuint size, nint format, nint arguments);

    /// <summary>struct bpf_test_run_opts of libbpf 1.1 (sz first: libbpf checks it against the fields it knows).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TestRunOptions
    {
        public nuint Size;
        public void* DataIn;
        public void* DataOut;
        public uint DataSizeIn;
        public uint DataSizeOut;
        public void* ContextIn;
        public void* ContextOut;
        public uint ContextSizeIn;
        public uint ContextSizeOut;
        public uint ReturnValue;
        public int Repeat;
        public uint Duration;
        public uint Flags;
        public uint Cpu;
        public uint BatchSize;
    }

    /// <summary>struct bpf_obj_get_opts of libbpf 1.0 (sz first; a trailing pad to 8 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ObjectGetOptions
    {
        public nuint Size;
        public uint FileFlags;
        private readonly uint _padding;
    }

    /// <summary>struct bpf_tc_hook: where on an interface (clsact ingress/egress) a tc program goes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TcHook
    {
        public nuint Size;
        public int InterfaceIndex;
        public int AttachPoint;
        public uint Parent;
    }

    /// <summary>struct bpf_tc_opts: the program and the filter's handle and priority (the filter's identity on a hook).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TcOptions
    {
        public nuint Size;
        public int ProgramFd;
        public uint Flags;
        public uint ProgramId;
        public uint Handle;
        public uint Priority;
    }

    /// <summary>The head of struct bpf_prog_info (the kernel fills only the length we pass).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ProgramInfo
    {
        public uint Type;
        public uint Id;
        public fixed byte Tag[8];
        public uint JitedLength;
        public uint TranslatedLength;
        public ulong JitedInstructions;
        public ulong TranslatedInstructions;
        public ulong LoadTime;
        public uint CreatedByUid;
        public uint MapIdCount;
        public ulong MapIds;
        public fixed byte Name[16];
    }

    /// <summary>The head of struct bpf_map_info.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MapInfo
    {
        public uint Type;
        public uint Id;
        public uint KeySize;
        public uint ValueSize;
        public uint MaxEntries;
        public uint Flags;
        public fixed byte Name[16];
    }
}
