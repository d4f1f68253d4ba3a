// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class ICMPFields
{
    [JsonPropertyName("type")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Type { get; set; }

    [JsonPropertyName("code")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Code { get; set; }
}
