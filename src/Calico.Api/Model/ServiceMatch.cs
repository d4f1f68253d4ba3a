// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class ServiceMatch
{
    [JsonPropertyName("name")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; set; }

    [JsonPropertyName("namespace")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Namespace { get; set; }
}
