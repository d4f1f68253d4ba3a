using System.Text.Json.Serialization;

namespace Calico.Ipam.Storage;

/// <summary>
/// The stored block (upstream model.AllocationBlock), field for field and in upstream's order so that the bytes we write
/// are the bytes Go's encoding/json writes. Nil slices and maps stay null because Go writes them as null.
/// </summary>
internal sealed class AllocationBlockData
{
    [JsonPropertyName("cidr")]
    public string Cidr { get; set; } = "";

    /// <summary>"host:&lt;node&gt;" or "virtual:&lt;owner&gt;"; null (written as null) when unaffine.</summary>
    [JsonPropertyName("affinity")]
    public string? Affinity { get; set; }

    [JsonPropertyName("affinity_claim_time")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? AffinityClaimTime { get; set; }

    /// <summary>Per ordinal: index into <see cref="Attributes"/>, or null when free.</summary>
    [JsonPropertyName("allocations")]
    public List<int?>? Allocations { get; set; }

    /// <summary>Free ordinals, a FIFO: allocation pops from the head, release appends to the tail.</summary>
    [JsonPropertyName("unallocated")]
    public List<int>? Unallocated { get; set; }

    [JsonPropertyName("attributes")]
    public List<AllocationAttributeData>? Attributes { get; set; }

    [JsonPropertyName("sequenceNumber")]
    public ulong SequenceNumber { get; set; }

    [JsonPropertyName("sequenceNumberForAllocation")]
    [JsonConverter(typeof(GoSortedUInt64MapConverter))]
    public Dictionary<string, ulong>? SequenceNumberForAllocation { get; set; }

    [JsonPropertyName("deleted")]
    public bool Deleted { get; set; }

    [JsonPropertyName("hostAffinity")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? HostAffinity { get; set; }
}
