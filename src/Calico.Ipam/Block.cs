using System.Globalization;
using System.Net;
using Calico.Ipam.Storage;

namespace Calico.Ipam;

/// <summary>
/// One allocation block and the pure operations on it (upstream ipam_block.go). Every mutation happens on a copy
/// read at one revision and is written back with compare-and-swap; nothing here touches the store.
/// </summary>
internal sealed class Block
{
    public const string HostAffinityPrefix = "host:";
    public const string WindowsReservedHandle = "windows-reserved-ipam-handle";

    public Block(AllocationBlockData data)
    {
        Data = data;
        if (!Calico.Api.Cidr.TryParse(data.Cidr, out var cidr))
        {
            throw new FormatException($"IPAM block has an invalid cidr \"{data.Cidr}\"");
        }

        Cidr = cidr;
        Count = checked((int)IpMath.Size(cidr));
        Data.Allocations ??= [];
        while (Data.Allocations.Count < Count)
        {
            Data.Allocations.Add(null);
        }

        Data.Unallocated ??= [];
    }

    public AllocationBlockData Data { get; }

    public IPNetwork Cidr { get; }

    public int Count { get; }

    public List<int?> Allocations => Data.Allocations!;

    public List<int> Unallocated => Data.Unallocated!;

    /// <summary>The node of a <c>host:</c> affinity, or null.</summary>
    public string? Host =>
        Data.Affinity is { } a && a.StartsWith(HostAffinityPrefix, StringComparison.Ordinal) ? a[HostAffinityPrefix.Length..] : null;

    /// <summary>A fresh block as upstream's newBlock + claimAffineBlock write it.</summary>
    public static Block Create(IPNetwork cidr, string affinity, DateTimeOffset now)
    {
        int count = checked((int)IpMath.Size(cidr));
        var data = new AllocationBlockData
        {
            Cidr = IpMath.Format(cidr),
            Affinity = affinity,
            AffinityClaimTime = GoTime(now),
            Allocations = new List<int?>(new int?[count]),
            Unallocated = [.. Enumerable.Range(0, count)],
            Attributes = null,
            SequenceNumber = UnixNanos(now),
            SequenceNumberForAllocation = new Dictionary<string, ulong>(StringComparer.Ordinal),
        };
        return new Block(data);
    }

    public static string GoTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static ulong UnixNanos(DateTimeOffset time) => (ulong)(time.UtcTicks - DateTime.UnixEpoch.Ticks) * 100UL;

    public IPAddress AddressOf(int ordinal) => IpMath.Nth(Cidr, (UInt128)ordinal);

    public int OrdinalOf(IPAddress address)
    {
        if (!Cidr.Contains(address))
        {
            return -1;
        }

        return (int)(IpMath.ToUInt128(address) - IpMath.ToUInt128(Cidr.BaseAddress));
    }

    public ulong SequenceNumberOf(int ordinal) =>
        Data.SequenceNumberForAllocation is { } map && map.TryGetValue(Key(ordinal), out var seq) ? seq : 0;

    public AllocationAttributeData? AttributeOf(int ordinal) =>
        Allocations[ordinal] is int idx && Data.Attributes is { } attrs && idx < attrs.Count ? attrs[idx] : null;

    /// <summary>Allocated and not in cooldown.</summary>
    public bool IsInUse(int ordinal) => Allocations[ordinal] is not null && AttributeOf(ordinal)?.ReleasedAt is null;

    /// <summary>Free addresses that auto-assignment may hand out (reserved ones excluded).</summary>
    public int NumFree(Reservations reservations)
    {
        if (reservations.MatchesWholeCidr(Cidr))
        {
            return 0;
        }

        if (!reservations.MatchesSome(Cidr))
        {
            return Unallocated.Count;
        }

        int free = 0;
        foreach (int ordinal in Unallocated)
        {
            if (!reservations.MatchesIp(AddressOf(ordinal)))
            {
                free++;
            }
        }

        return free;
    }

    public int NumReserved(Reservations reservations)
    {
        if (reservations.MatchesWholeCidr(Cidr))
        {
            return Count;
        }

        if (!reservations.MatchesSome(Cidr))
        {
            return 0;
        }

        int n = 0;
        for (int o = 0; o < Count; o++)
        {
            if (reservations.MatchesIp(AddressOf(o)))
            {
                n++;
            }
        }

        return n;
    }

    /// <summary>No allocations except Windows' reserved ones (upstream empty()).</summary>
    public bool IsEmpty()
    {
        for (int o = 0; o < Count; o++)
        {
            if (Allocations[o] is null)
            {
                continue;
            }

            if (AttributeOf(o)?.HandleId is not { } h || !string.Equals(h, WindowsReservedHandle, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Pops up to <paramref name="num"/> free ordinals from the head of the FIFO, skipping reserved addresses.</summary>
    public List<IPAddress> AutoAssign(int num, string? handleId, IReadOnlyDictionary<string, string>? attrs, Reservations reservations)
    {
        var assigned = new List<IPAddress>(Math.Min(num, Unallocated.Count));
        var remaining = new List<int>(Unallocated.Count);
        int? attrIndex = null;
        for (int i = 0; i < Unallocated.Count; i++)
        {
            int ordinal = Unallocated[i];
            if (assigned.Count >= num)
            {
                remaining.AddRange(Unallocated.Skip(i));
                break;
            }

            var address = AddressOf(ordinal);
            if (reservations.MatchesIp(address))
            {
                remaining.Add(ordinal);
                continue;
            }

            attrIndex ??= FindOrAddAttribute(handleId, attrs);
            Allocations[ordinal] = attrIndex;
            SetSequenceNumber(ordinal);
            assigned.Add(address);
        }

        Data.Unallocated = remaining;
        return assigned;
    }

    /// <summary>Assigns one specific ordinal; false when it is already allocated (or in cooldown).</summary>
    public bool Assign(int ordinal, string? handleId, IReadOnlyDictionary<string, string>? attrs)
    {
        if (Allocations[ordinal] is not null)
        {
            return false;
        }

        SetSequenceNumber(ordinal);
        Allocations[ordinal] = FindOrAddAttribute(handleId, attrs);
        Unallocated.Remove(ordinal);
        return true;
    }

    /// <summary>
    /// Releases ordinals. An ordinal whose sequence number does not match the caller's is left alone and reported as
    /// a conflict (ABA protection); one that is not allocated is reported as such. Returns released counts per handle.
    /// </summary>
    public Dictionary<string, int> Release(
        IReadOnlyList<(int Ordinal, ulong? SequenceNumber, string? Handle)> requests,
        int cooldownSeconds,
        DateTimeOffset now,
        List<int> notAllocated,
        List<int> conflicts)
    {
        var countByHandle = new Dictionary<string, int>(StringComparer.Ordinal);
        var toRelease = new List<int>();
        var seen = new HashSet<int>();
        foreach (var (ordinal, seq, handle) in requests)
        {
            if (!seen.Add(ordinal))
            {
                continue;
            }

            if (seq is { } s && s != SequenceNumberOf(ordinal))
            {
                conflicts.Add(ordinal);
                continue;
            }

            var attr = AttributeOf(ordinal);
            if (Allocations[ordinal] is null || attr?.ReleasedAt is not null)
            {
                notAllocated.Add(ordinal);
                continue;
            }

            string handleId = Sanitize(attr?.HandleId ?? "");
            if (handle is not null && !string.Equals(handle, handleId, StringComparison.Ordinal))
            {
                conflicts.Add(ordinal);
                continue;
            }

            toRelease.Add(ordinal);
            if (handleId.Length > 0)
            {
                countByHandle[handleId] = countByHandle.GetValueOrDefault(handleId) + 1;
            }
        }

        if (toRelease.Count > 0)
        {
            int cooldownIndex = AddCooldownAttribute(now);
            foreach (int ordinal in toRelease)
            {
                Allocations[ordinal] = cooldownIndex;
                SetSequenceNumber(ordinal);
            }

            GarbageCollect(cooldownSeconds, now);
        }

        return countByHandle;
    }

    /// <summary>Releases every address of the handle in this block; returns how many.</summary>
    public int ReleaseByHandle(string handleId, int cooldownSeconds, DateTimeOffset now)
    {
        var indexes = AttributeIndexesOf(handleId);
        if (indexes.Count == 0)
        {
            return 0;
        }

        int released = 0;
        int? cooldownIndex = null;
        for (int o = 0; o < Count; o++)
        {
            if (Allocations[o] is int idx && indexes.Contains(idx))
            {
                cooldownIndex ??= AddCooldownAttribute(now);
                Allocations[o] = cooldownIndex;
                SetSequenceNumber(o);
                released++;
            }
        }

        GarbageCollect(cooldownSeconds, now);
        return released;
    }

    public List<IPAddress> AddressesOf(string handleId)
    {
        var indexes = AttributeIndexesOf(handleId);
        var result = new List<IPAddress>();
        for (int o = 0; o < Count && indexes.Count > 0; o++)
        {
            if (Allocations[o] is int idx && indexes.Contains(idx))
            {
                result.Add(AddressOf(o));
            }
        }

        return result;
    }

    /// <summary>
    /// Returns released ordinals whose cooldown is over to the tail of the FIFO and drops unused attributes
    /// (upstream garbageCollect). True when anything changed.
    /// </summary>
    public bool GarbageCollect(int cooldownSeconds, DateTimeOffset now)
    {
        bool changed = false;
        var attrs = Data.Attributes;
        if (attrs is null)
        {
            return false;
        }

        var used = new bool[attrs.Count];
        for (int o = 0; o < Count; o++)
        {
            if (Allocations[o] is not int idx || idx >= attrs.Count)
            {
                continue;
            }

            bool canFree = attrs[idx].ReleasedAt is { } releasedAt
                && (cooldownSeconds <= 0 || !DateTimeOffset.TryParse(releasedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                    || at.AddSeconds(cooldownSeconds) < now);
            if (canFree)
            {
                Allocations[o] = null;
                Unallocated.Add(o);
                Data.SequenceNumberForAllocation?.Remove(Key(o));
                changed = true;
            }
            else
            {
                used[idx] = true;
            }
        }

        int kept = 0;
        foreach (bool u in used)
        {
            kept += u ? 1 : 0;
        }

        if (kept != attrs.Count)
        {
            var newIndex = new int[attrs.Count];
            var newAttrs = new List<AllocationAttributeData>(kept);
            for (int i = 0; i < attrs.Count; i++)
            {
                if (used[i])
                {
                    newIndex[i] = newAttrs.Count;
                    newAttrs.Add(attrs[i]);
                }
            }

            Data.Attributes = newAttrs;
            for (int o = 0; o < Count; o++)
            {
                if (Allocations[o] is int idx && idx < newIndex.Length)
                {
                    Allocations[o] = newIndex[idx];
                }
            }

            changed = true;
        }

        return changed;
    }

    /// <summary>Upstream sanitizeHandle: Windows handles may carry "\r..." suffixes.</summary>
    public static string Sanitize(string handleId)
    {
        int cr = handleId.IndexOf('\r', StringComparison.Ordinal);
        return cr < 0 ? handleId : handleId[..cr];
    }

    private HashSet<int> AttributeIndexesOf(string handleId)
    {
        var set = new HashSet<int>();
        if (Data.Attributes is { } attrs)
        {
            for (int i = 0; i < attrs.Count; i++)
            {
                if (attrs[i].HandleId is { } h && string.Equals(Sanitize(h), handleId, StringComparison.Ordinal))
                {
                    set.Add(i);
                }
            }
        }

        return set;
    }

    private int FindOrAddAttribute(string? handleId, IReadOnlyDictionary<string, string>? attrs)
    {
        // Go's omitempty drops an empty map, so empty and absent owner attributes are the same thing.
        attrs = attrs is { Count: > 0 } ? attrs : null;
        Data.Attributes ??= [];
        var list = Data.Attributes;
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i].SameOwner(handleId, attrs))
            {
                return i;
            }
        }

        list.Add(new AllocationAttributeData
        {
            HandleId = handleId,
            ActiveOwnerAttrs = attrs is null ? null : new Dictionary<string, string>(attrs, StringComparer.Ordinal),
        });
        return list.Count - 1;
    }

    private int AddCooldownAttribute(DateTimeOffset now)
    {
        Data.Attributes ??= [];
        Data.Attributes.Add(new AllocationAttributeData { ReleasedAt = GoTime(now) });
        return Data.Attributes.Count - 1;
    }

    private void SetSequenceNumber(int ordinal)
    {
        Data.SequenceNumberForAllocation ??= new Dictionary<string, ulong>(StringComparer.Ordinal);
        Data.SequenceNumberForAllocation[Key(ordinal)] = Data.SequenceNumber;
    }

    private static string Key(int ordinal) => ordinal.ToString(CultureInfo.InvariantCulture);
}
