// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class Rule
{
    [JsonPropertyName("action")]
    public string Action { get; set; } = "";

    [JsonPropertyName("ipVersion")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? IpVersion { get; set; }

    [JsonPropertyName("protocol")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Protocol? Protocol { get; set; }

    [JsonPropertyName("icmp")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ICMPFields? Icmp { get; set; }

    [JsonPropertyName("notProtocol")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Protocol? NotProtocol { get; set; }

    [JsonPropertyName("notICMP")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ICMPFields? NotICMP { get; set; }

    [JsonPropertyName("source")]
    public EntityRule Source { get; set; } = new();

    [JsonPropertyName("destination")]
    public EntityRule Destination { get; set; } = new();

    [JsonPropertyName("http")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public HTTPMatch? Http { get; set; }

    [JsonPropertyName("metadata")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RuleMetadata? Metadata { get; set; }
}
