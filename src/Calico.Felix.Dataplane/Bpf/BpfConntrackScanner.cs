using System.Buffers.Binary;
using System.Diagnostics;
using Calico.Felix.Bpf;
using Calico.Linux.Bpf;

namespace Calico.Felix.Dataplane.Bpf;

/// <summary>
/// Walks cali_ct and deletes the entries idle past their timeout (<see cref="ConntrackExpiry"/>, the program's own
/// rule): the program ignores such an entry and replaces it when a packet of that flow comes, but one that no packet
/// meets again would stay until the LRU needs its slot. Not wired to a timer here: the caller runs it periodically
/// (upstream scans every 10 s).
/// </summary>
public static class BpfConntrackScanner
{
    private const int LastSeenOffset = 8;
    private const int StateOffset = 16;
    private const int ProtocolOffset = 36;

    /// <summary>
    /// bpf_ktime_get_ns's clock (CLOCK_MONOTONIC) now, in nanoseconds: .NET's Stopwatch on Linux reads CLOCK_MONOTONIC
    /// in nanoseconds.
    /// </summary>
    public static ulong MonotonicNowNs()
    {
        long ticks = Stopwatch.GetTimestamp();
        return Stopwatch.Frequency == 1_000_000_000 ? (ulong)ticks : (ulong)(ticks * (1_000_000_000.0 / Stopwatch.Frequency));
    }

    /// <summary>Entries read per BPF_MAP_LOOKUP_BATCH call (160 KiB of keys, 128 KiB of values).</summary>
    public const int BatchEntries = 4096;

    /// <summary>
    /// One pass over <paramref name="conntrack"/> (cali_ct, opened by pin or from the loaded object) at
    /// <paramref name="nowNs"/> (<see cref="MonotonicNowNs"/>): read in batches (one syscall per
    /// <see cref="BatchEntries"/> entries), the expired keys of each batch deleted in one more. An entry refreshed
    /// after <paramref name="nowNs"/> is live. Where the kernel has no batch operations, key by key.
    /// </summary>
    public static BpfScanResult Scan(BpfMap conntrack, ulong nowNs)
    {
        ArgumentNullException.ThrowIfNull(conntrack);
        RequireConntrackLayout(conntrack);
        int scanned = 0, deleted = 0;
        var expired = new byte[BatchEntries * BpfMapLayout.ConntrackKeySize];
        try
        {
            conntrack.ForEachBatch(BatchEntries, (keys, values, count) =>
            {
                if (expired.Length < keys.Length)
                {
                    expired = new byte[keys.Length];
                }

                int found = 0;
                for (int i = 0; i < count; i++)
                {
                    ReadOnlySpan<byte> key = keys.Slice(i * BpfMapLayout.ConntrackKeySize, BpfMapLayout.ConntrackKeySize);
                    ReadOnlySpan<byte> value = values.Slice(i * BpfMapLayout.ConntrackValueSize, BpfMapLayout.ConntrackValueSize);
                    if (IsExpired(key, value, nowNs))
                    {
                        key.CopyTo(expired.AsSpan(found++ * BpfMapLayout.ConntrackKeySize));
                    }
                }

                scanned += count;
                deleted += found == 0 ? 0 : conntrack.DeleteBatch(expired, found);
            });
        }
        catch (BpfException e) when (scanned == 0 && e.Errno is NoBatchEinval or NoBatchEopnotsupp)
        {
            return ScanKeyByKey(conntrack, nowNs);
        }

        return new BpfScanResult(scanned, deleted);
    }

    /// <summary>
    /// The same pass key by key (get-next-key, lookup, delete: two or three syscalls an entry). The next key is taken
    /// before the current one is deleted (deleting first would restart the kernel's walk); a walk that the program's
    /// own deletions restart is cut at twice the map's size.
    /// </summary>
    public static BpfScanResult ScanKeyByKey(BpfMap conntrack, ulong nowNs)
    {
        ArgumentNullException.ThrowIfNull(conntrack);
        RequireConntrackLayout(conntrack);
        long bound = 2L * conntrack.ReadInfo().MaxEntries;
        Span<byte> current = stackalloc byte[BpfMapLayout.ConntrackKeySize];
        Span<byte> next = stackalloc byte[BpfMapLayout.ConntrackKeySize];
        Span<byte> value = stackalloc byte[BpfMapLayout.ConntrackValueSize];
        int scanned = 0, deleted = 0;
        bool more = conntrack.TryGetNextKey([], current);
        while (more && scanned < bound)
        {
            more = conntrack.TryGetNextKey(current, next);
            scanned++;
            // Gone already (the program replaced it, or the LRU took its slot): nothing to do.
            if (conntrack.TryLookup(current, value) && IsExpired(current, value, nowNs) && conntrack.Delete(current))
            {
                deleted++;
            }

            next.CopyTo(current);
        }

        return new BpfScanResult(scanned, deleted);
    }

    private const int NoBatchEinval = 22;
    private const int NoBatchEopnotsupp = 95;

    private static bool IsExpired(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong nowNs) =>
        ConntrackExpiry.IsExpired(BinaryPrimitives.ReadUInt64LittleEndian(value[LastSeenOffset..]), (ConntrackState)value[StateOffset], key[ProtocolOffset], nowNs);

    private static void RequireConntrackLayout(BpfMap conntrack)
    {
        if (conntrack.KeySize != BpfMapLayout.ConntrackKeySize || conntrack.ValueSize != BpfMapLayout.ConntrackValueSize)
        {
            throw new ArgumentException($"BPF map {conntrack.Name} has {conntrack.KeySize}-byte keys and {conntrack.ValueSize}-byte values, not cali_ct's {BpfMapLayout.ConntrackKeySize} and {BpfMapLayout.ConntrackValueSize}", nameof(conntrack));
        }
    }
}
