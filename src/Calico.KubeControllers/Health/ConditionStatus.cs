using System.Text.Json.Serialization;

namespace Calico.KubeControllers.Health;

/// <summary>One readiness condition of the status file (upstream's field names).</summary>
internal sealed class ConditionStatus
{
    [JsonPropertyName("Ready")]
    public bool Ready { get; set; }

    [JsonPropertyName("Reason")]
    public string Reason { get; set; } = "";
}
