using Calico.Linux.Interop;

namespace Calico.Linux.Bpf;

/// <summary>
/// A map of a loaded <see cref="BpfObject"/>, read and written with keys and values as bytes laid out as the C
/// structs (the caller encodes them; sizes are checked against the map's so a layout drift fails loudly).
/// </summary>
public sealed class BpfMap
{
    private readonly nint _map;

    internal BpfMap(nint map, string name)
    {
        _map = map;
        Name = name;
    }

    public string Name { get; }

    public int Fd => Libbpf.MapFd(_map);

    public int KeySize => (int)Libbpf.MapKeySize(_map);

    public int ValueSize => (int)Libbpf.MapValueSize(_map);

    /// <summary>Sets where libbpf pins (or finds, and reuses) this map at load time; call before <see cref="BpfObject.Load()"/>.</summary>
    public void SetPinPath(string path)
    {
        var result = Libbpf.MapSetPinPath(_map, path);
        if (result < 0)
        {
            throw BpfException.From($"setting pin path {path} of BPF map {Name}", result, LibbpfMessages.Mark());
        }
    }

    /// <summary>Resizes the map before load (e.g. conntrack's table from configuration).</summary>
    public void SetMaxEntries(uint maxEntries)
    {
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
    public unsafe byte[]? Lookup(ReadOnlySpan<byte> key)
    {
        CheckSizes(key.Length, ValueSize);
        var value = new byte[ValueSize];
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            var result = Libbpf.MapLookupElement(Fd, k, v);
            return result == -Errno.ENOENT ? null
                : result < 0 ? throw BpfException.From($"looking up BPF map {Name}", result, LibbpfMessages.Mark())
                : value;
        }
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

    private void CheckSizes(int keyLength, int valueLength)
    {
        if (keyLength != KeySize || valueLength != ValueSize)
        {
            throw new ArgumentException($"BPF map {Name} takes {KeySize}-byte keys and {ValueSize}-byte values, not {keyLength} and {valueLength}");
        }
    }
}

/// <summary>bpf_map_update_elem's flags: BPF_ANY, BPF_NOEXIST, BPF_EXIST.</summary>
public enum BpfUpdate : ulong
{
    Any = 0,
    NoExist = 1,
    Exist = 2,
}
