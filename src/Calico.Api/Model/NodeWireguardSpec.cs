// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class NodeWireguardSpec
{
    [JsonPropertyName("interfaceIPv4Address")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? InterfaceIPv4Address { get; set; }

    [JsonPropertyName("interfaceIPv6Address")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? InterfaceIPv6Address { get; set; }
}
