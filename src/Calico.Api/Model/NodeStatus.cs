// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class NodeStatus
{
    [JsonPropertyName("wireguardPublicKey")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? WireguardPublicKey { get; set; }

    [JsonPropertyName("wireguardPublicKeyV6")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? WireguardPublicKeyV6 { get; set; }

    [JsonPropertyName("podCIDRs")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? PodCIDRs { get; set; }
}
