using System.Text.Json.Serialization;

namespace Calico.KubeControllers.Leadership;

/// <summary>The value of the lease key: who holds it and for how long a renewal counts (Kubernetes Lease's field names).</summary>
internal sealed class LeaseRecord
{
    [JsonPropertyName("holderIdentity")]
    public string HolderIdentity { get; set; } = "";

    [JsonPropertyName("leaseDurationSeconds")]
    public double LeaseDurationSeconds { get; set; }

    [JsonPropertyName("renewTime")]
    public DateTimeOffset RenewTime { get; set; }
}
