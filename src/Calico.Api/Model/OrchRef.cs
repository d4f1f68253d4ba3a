// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class OrchRef
{
    [JsonPropertyName("nodeName")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NodeName { get; set; }

    [JsonPropertyName("orchestrator")]
    public string Orchestrator { get; set; } = "";
}
