// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class HealthTimeoutOverride
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("timeout")]
    public string Timeout { get; set; } = "";
}
