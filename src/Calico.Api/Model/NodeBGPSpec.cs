// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class NodeBGPSpec
{
    [JsonPropertyName("asNumber")]
    [JsonConverter(typeof(Serialization.AsNumberConverter))]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public uint? AsNumber { get; set; }

    [JsonPropertyName("ipv4Address")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Ipv4Address { get; set; }

    [JsonPropertyName("ipv6Address")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Ipv6Address { get; set; }

    [JsonPropertyName("ipv4IPIPTunnelAddr")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Ipv4IPIPTunnelAddr { get; set; }

    [JsonPropertyName("routeReflectorClusterID")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RouteReflectorClusterID { get; set; }
}
