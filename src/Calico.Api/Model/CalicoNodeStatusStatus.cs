// Declared from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class CalicoNodeStatusStatus
{
    [JsonPropertyName("lastUpdated")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LastUpdated { get; set; }

    [JsonPropertyName("agent")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CalicoNodeAgentStatus? Agent { get; set; }

    [JsonPropertyName("bgp")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CalicoNodeBGPStatus? Bgp { get; set; }

    [JsonPropertyName("routes")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CalicoNodeBGPRouteStatus? Routes { get; set; }
}
