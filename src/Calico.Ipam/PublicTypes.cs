using System.Net;

namespace Calico.Ipam;

/// <summary>The cluster IPAM configuration (/calico/ipam/v2/config); defaults when the key is absent.</summary>
public sealed record IpamConfig
{
    public bool StrictAffinity { get; init; }

    public bool AutoAllocateBlocks { get; init; } = true;

    /// <summary>0 = no global limit (auto-assign then uses upstream's default of 20).</summary>
    public int MaxBlocksPerHost { get; init; }

    public string? KubeVirtVMAddressPersistence { get; init; } = "Enabled";

    public int IpCooldownSeconds { get; init; }
}

/// <summary>One address to release; a sequence number or handle, when given, must still match (ABA protection).</summary>
public sealed record ReleaseOptions(IPAddress Address, string? HandleId = null, ulong? SequenceNumber = null);

/// <summary>Addresses that were not allocated, and those left alone because their sequence number or handle no longer matched.</summary>
public sealed record ReleaseResult(IReadOnlyList<IPAddress> NotAllocated, IReadOnlyList<IPAddress> Conflicts);

/// <summary>One allocated address (in use or in cooldown) as stored in its block.</summary>
public sealed record AllocationInfo(
    IPAddress Address,
    IPNetwork Block,
    string? HandleId,
    IReadOnlyDictionary<string, string> Attributes,
    ulong SequenceNumber,
    bool InCooldown);

/// <summary>A block as read: its CIDR, affinity ("host:node" or null), size, allocations and free count.</summary>
public sealed record BlockInfo(
    IPNetwork Cidr,
    string? Affinity,
    int Size,
    int Free,
    IReadOnlyList<AllocationInfo> Allocations)
{
    /// <summary>The node of a host affinity, or null.</summary>
    public string? Host => Affinity is { } a && a.StartsWith(Block.HostAffinityPrefix, StringComparison.Ordinal) ? a[Block.HostAffinityPrefix.Length..] : null;
}
