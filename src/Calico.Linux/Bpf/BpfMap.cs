using System.Runtime.InteropServices;
using Calico.Linux.Interop;

namespace Calico.Linux.Bpf;

/// <summary>
/// A BPF map, read and written with keys and values as bytes laid out as the C structs (the caller encodes them;
/// sizes are checked against the map's so a layout drift fails loudly). Either a map of a <see cref="BpfObject"/>
/// (valid while the object is open; configurable before load) or a map opened by its pin path or taken from an fd,
/// which this instance owns and closes on dispose: such a map works after the process that created it is gone.
/// </summary>
public sealed class BpfMap : IDisposable
{
    private readonly nint _map;
    private readonly int _keySize;
    private readonly int _valueSize;
    private int _ownedFd = -1;

    internal BpfMap(nint map, string name)
    {
        _map = map;
        Name = name;
    }

    private BpfMap(int ownedFd, BpfMapInfo info)
    {
        _ownedFd = ownedFd;
        Name = info.Name;
        _keySize = (int)info.KeySize;
        _valueSize = (int)info.ValueSize;
    }

    public string Name { get; }

    public int Fd => _map != 0 ? Libbpf.MapFd(_map)
        : _ownedFd >= 0 ? _ownedFd
        : throw new ObjectDisposedException(nameof(BpfMap), $"BPF map {Name} was disposed");

    public int KeySize => _map != 0 ? (int)Libbpf.MapKeySize(_map) : _keySize;

    public int ValueSize => _map != 0 ? (int)Libbpf.MapValueSize(_map) : _valueSize;

    /// <summary>
    /// Opens the map pinned at <paramref name="path"/> (its own fd: the map stays usable whoever pinned it and
    /// whatever became of them); key and value sizes come from the kernel. <paramref name="readOnly"/>: an fd the
    /// kernel lets read only (BPF_F_RDONLY), for tools that must not change what the dataplane enforces.
    /// </summary>
    public static BpfMap OpenPinned(string path, bool readOnly = false)
    {
        var fd = BpfFilesystem.OpenPinned(path, "map", readOnly);
        return FromOwnedFd(fd, path);
    }

    /// <summary>Takes ownership of <paramref name="fd"/> (closed on dispose), which must be a map's.</summary>
    public static BpfMap FromOwnedFd(int fd, string? description = null)
    {
        try
        {
            BpfFdKind.Require(fd, "map_type", "map", description ?? $"fd {fd}");
            return new BpfMap(fd, QueryInfo(fd, description ?? $"fd {fd}"));
        }
        catch
        {
            _ = LibC.Close(fd);
            throw;
        }
    }

    /// <summary>What the kernel says of the map behind <paramref name="fd"/> (id, type, sizes, name).</summary>
    public static unsafe BpfMapInfo QueryInfo(int fd, string description)
    {
        var info = default(Libbpf.MapInfo);
        var length = (uint)sizeof(Libbpf.MapInfo);
        var mark = LibbpfMessages.Mark();
        var result = Libbpf.ObjectGetInfoByFd(fd, &info, &length);
        if (result < 0)
        {
            throw BpfException.From($"reading BPF map info of {description}", result, mark);
        }

        return new BpfMapInfo(info.Id, info.Type, info.KeySize, info.ValueSize, info.MaxEntries, info.Flags, BpfNames.FromFixed(info.Name, 16));
    }

    /// <summary>What the kernel says of this map now (its id among them, for bpftool and drift checks).</summary>
    public BpfMapInfo ReadInfo() => QueryInfo(Fd, "BPF map " + Name);

    /// <summary>Pins this map at <paramref name="path"/> now (on a bpffs; compare <see cref="SetPinPath"/>, applied at load).</summary>
    public void Pin(string path) => BpfFilesystem.Pin(Fd, path);

    /// <summary>Sets where libbpf pins (or finds, and reuses) this map at load time; call before <see cref="BpfObject.Load()"/>.</summary>
    public void SetPinPath(string path)
    {
        RequireLibbpfMap("setting a pin path");
        var result = Libbpf.MapSetPinPath(_map, path);
        if (result < 0)
        {
            throw BpfException.From($"setting pin path {path} of BPF map {Name}", result, LibbpfMessages.Mark());
        }
    }

    /// <summary>
    /// How a map already pinned (<paramref name="pinned"/>, from <see cref="ReadInfo"/>) differs from this object map's
    /// definition in what libbpf requires equal to reuse a pin (type, key and value sizes, max entries, flags): a
    /// description of each difference, or null when libbpf would reuse it. Before <see cref="BpfObject.Load()"/>.
    /// </summary>
    public string? DefinitionDifference(BpfMapInfo pinned)
    {
        ArgumentNullException.ThrowIfNull(pinned);
        RequireLibbpfMap("comparing its definition");
        var differences = new List<string>();
        void Compare(string what, uint pinnedValue, uint wanted)
        {
            if (pinnedValue != wanted)
            {
                differences.Add($"{what} {pinnedValue} pinned, {wanted} wanted");
            }
        }

        Compare("type", pinned.Type, Libbpf.MapType(_map));
        Compare("key size", pinned.KeySize, Libbpf.MapKeySize(_map));
        Compare("value size", pinned.ValueSize, Libbpf.MapValueSize(_map));
        Compare("max entries", pinned.MaxEntries, Libbpf.MapMaxEntries(_map));
        Compare("flags", pinned.Flags, Libbpf.MapFlags(_map));
        return differences.Count == 0 ? null : string.Join(", ", differences);
    }

    /// <summary>Resizes the map before load (e.g. conntrack's table from configuration).</summary>
    public void SetMaxEntries(uint maxEntries)
    {
        RequireLibbpfMap("setting max entries");
        var result = Libbpf.MapSetMaxEntries(_map, maxEntries);
        if (result < 0)
        {
            throw BpfException.From($"setting max entries {maxEntries} of BPF map {Name}", result, LibbpfMessages.Mark());
        }
    }

    public unsafe void Update(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, BpfUpdate mode = BpfUpdate.Any)
    {
        CheckSizes(key.Length, value.Length);
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            var result = Libbpf.MapUpdateElement(Fd, k, v, (ulong)mode);
            if (result < 0)
            {
                throw BpfException.From($"updating BPF map {Name}", result, LibbpfMessages.Mark());
            }
        }
    }

    /// <summary>The value stored under <paramref name="key"/>, or null when there is none.</summary>
    public byte[]? Lookup(ReadOnlySpan<byte> key)
    {
        var value = new byte[ValueSize];
        return TryLookup(key, value) ? value : null;
    }

    /// <summary>
    /// Reads the value under <paramref name="key"/> into <paramref name="value"/> without allocating (a scanner walking
    /// a large map); false when there is none.
    /// </summary>
    public unsafe bool TryLookup(ReadOnlySpan<byte> key, Span<byte> value)
    {
        CheckSizes(key.Length, value.Length);
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            var result = Libbpf.MapLookupElement(Fd, k, v);
            return result == -Errno.ENOENT ? false
                : result < 0 ? throw BpfException.From($"looking up BPF map {Name}", result, LibbpfMessages.Mark())
                : true;
        }
    }

    /// <summary>
    /// The key after <paramref name="key"/> into <paramref name="next"/> (an empty <paramref name="key"/>: the first);
    /// false past the last. A key no longer in a hash map makes the kernel start over from the first key, so a walker
    /// that deletes should take the next key before deleting the current one.
    /// </summary>
    public unsafe bool TryGetNextKey(ReadOnlySpan<byte> key, Span<byte> next)
    {
        if ((!key.IsEmpty && key.Length != KeySize) || next.Length != KeySize)
        {
            throw new ArgumentException($"BPF map {Name} takes {KeySize}-byte keys, not {key.Length} and {next.Length}");
        }

        fixed (byte* k = key)
        fixed (byte* n = next)
        {
            var result = Libbpf.MapGetNextKey(Fd, key.IsEmpty ? null : k, n);
            return result == -Errno.ENOENT ? false
                : result < 0 ? throw BpfException.From($"listing keys of BPF map {Name}", result, LibbpfMessages.Mark())
                : true;
        }
    }

    /// <summary>
    /// Walks the map in chunks of up to <paramref name="chunkEntries"/> entries with BPF_MAP_LOOKUP_BATCH (one syscall
    /// per chunk instead of two per entry), handing each chunk's keys and values, laid end to end, to
    /// <paramref name="visit"/>. Hash maps walk by bucket, so the visitor may delete what it was given. A bucket larger
    /// than the chunk doubles the chunk. Throws <see cref="BpfException"/> (EINVAL, EOPNOTSUPP) where the map type or
    /// kernel has no batch operations.
    /// </summary>
    public unsafe void ForEachBatch(int chunkEntries, BpfBatchVisitor visit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkEntries, 1);
        ArgumentNullException.ThrowIfNull(visit);
        // The cursor is opaque (a bucket index for hash maps, a key for arrays): a key's size, at least 8 bytes, holds either.
        var cursorIn = new byte[Math.Max(KeySize, 8)];
        var cursorOut = new byte[cursorIn.Length];
        var keys = new byte[chunkEntries * KeySize];
        var values = new byte[chunkEntries * ValueSize];
        var first = true;
        while (true)
        {
            uint count = (uint)(keys.Length / KeySize);
            int result;
            fixed (byte* i = cursorIn)
            fixed (byte* o = cursorOut)
            fixed (byte* k = keys)
            fixed (byte* v = values)
            {
                result = Libbpf.MapLookupBatch(Fd, first ? null : i, o, k, v, &count, null);
            }

            if (result == -Errno.ENOSPC && count == 0)
            {
                keys = new byte[keys.Length * 2];
                values = new byte[values.Length * 2];
                continue;
            }

            if (result < 0 && result != -Errno.ENOENT)
            {
                throw BpfException.From($"reading BPF map {Name} in batches", result, LibbpfMessages.Mark());
            }

            if (count > 0)
            {
                visit(keys.AsSpan(0, (int)count * KeySize), values.AsSpan(0, (int)count * ValueSize), (int)count);
            }

            if (result == -Errno.ENOENT)
            {
                return;
            }

            cursorOut.CopyTo(cursorIn, 0);
            first = false;
        }
    }

    /// <summary>
    /// Deletes <paramref name="count"/> keys laid end to end in <paramref name="keys"/> with BPF_MAP_DELETE_BATCH; a
    /// key already gone (ENOENT) is skipped, not an error. The number deleted.
    /// </summary>
    public unsafe int DeleteBatch(ReadOnlySpan<byte> keys, int count)
    {
        if (count < 0 || keys.Length < count * KeySize)
        {
            throw new ArgumentException($"BPF map {Name}: {count} keys of {KeySize} bytes need {count * KeySize} bytes, not {keys.Length}");
        }

        int deleted = 0;
        int offset = 0;
        while (offset < count)
        {
            uint batch = (uint)(count - offset);
            int result;
            fixed (byte* k = keys[(offset * KeySize)..])
            {
                result = Libbpf.MapDeleteBatch(Fd, k, &batch, null);
            }

            deleted += (int)batch;
            offset += (int)batch;
            if (result == -Errno.ENOENT && offset < count)
            {
                offset++; // the key at offset vanished meanwhile (the program replaced it): skip it
            }
            else if (result < 0)
            {
                throw BpfException.From($"deleting from BPF map {Name} in a batch", result, LibbpfMessages.Mark());
            }
        }

        return deleted;
    }

    /// <summary>Deletes <paramref name="key"/>; false when it was not there.</summary>
    public unsafe bool Delete(ReadOnlySpan<byte> key)
    {
        CheckSizes(key.Length, ValueSize);
        fixed (byte* k = key)
        {
            var result = Libbpf.MapDeleteElement(Fd, k);
            return result == -Errno.ENOENT ? false
                : result < 0 ? throw BpfException.From($"deleting from BPF map {Name}", result, LibbpfMessages.Mark())
                : true;
        }
    }

    /// <summary>Every key in the map (a snapshot by get_next_key: entries added or removed meanwhile may be missed).</summary>
    public unsafe List<byte[]> Keys()
    {
        var keys = new List<byte[]>();
        var current = new byte[KeySize];
        var next = new byte[KeySize];
        var first = true;
        fixed (byte* c = current)
        fixed (byte* n = next)
        {
            while (true)
            {
                var result = Libbpf.MapGetNextKey(Fd, first ? null : c, n);
                if (result == -Errno.ENOENT)
                {
                    return keys;
                }

                if (result < 0)
                {
                    throw BpfException.From($"listing keys of BPF map {Name}", result, LibbpfMessages.Mark());
                }

                keys.Add(next.ToArray());
                next.CopyTo(current, 0);
                first = false;
            }
        }
    }

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _ownedFd, -1);
        if (fd >= 0 && LibC.Close(fd) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new BpfException($"closing BPF map {Name} (fd {fd}): {Errno.Describe(errno)}", errno);
        }
    }

    private void RequireLibbpfMap(string what)
    {
        if (_map == 0)
        {
            throw new InvalidOperationException($"{what} needs a map of an object not yet loaded; BPF map {Name} was opened from an fd or a pin");
        }
    }

    private void CheckSizes(int keyLength, int valueLength)
    {
        if (keyLength != KeySize || valueLength != ValueSize)
        {
            throw new ArgumentException($"BPF map {Name} takes {KeySize}-byte keys and {ValueSize}-byte values, not {keyLength} and {valueLength}");
        }
    }
}

/// <summary>What the kernel says of a map (struct bpf_map_info's head): type is enum bpf_map_type.</summary>
public sealed record BpfMapInfo(uint Id, uint Type, uint KeySize, uint ValueSize, uint MaxEntries, uint Flags, string Name);

/// <summary>One chunk of <see cref="BpfMap.ForEachBatch"/>: <paramref name="count"/> keys and values, each laid end to end.</summary>
public delegate void BpfBatchVisitor(ReadOnlySpan<byte> keys, ReadOnlySpan<byte> values, int count);

/// <summary>bpf_map_update_elem's flags: BPF_ANY, BPF_NOEXIST, BPF_EXIST.</summary>
public enum BpfUpdate : ulong
{
    Any = 0,
    NoExist = 1,
    Exist = 2,
}
