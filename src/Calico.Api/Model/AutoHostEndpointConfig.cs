// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class AutoHostEndpointConfig
{
    [JsonPropertyName("autoCreate")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? AutoCreate { get; set; }

    [JsonPropertyName("createDefaultHostEndpoint")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CreateDefaultHostEndpoint { get; set; }

    [JsonPropertyName("templates")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<Template>? Templates { get; set; }
}
