using System.Text.Json.Serialization;

namespace Calico.Ipam.Storage;

/// <summary>Upstream model.BlockAffinity: <c>{"state":"confirmed","deleted":false}</c>; an empty value from old versions reads as state "".</summary>
internal sealed class BlockAffinityData
{
    public const string Pending = "pending";
    public const string Confirmed = "confirmed";
    public const string PendingDeletion = "pendingDeletion";

    [JsonPropertyName("state")]
    public string State { get; set; } = "";

    [JsonPropertyName("deleted")]
    public bool Deleted { get; set; }
}
