// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class NodeSpec
{
    [JsonPropertyName("bgp")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public NodeBGPSpec? Bgp { get; set; }

    [JsonPropertyName("ipv4VXLANTunnelAddr")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Ipv4VXLANTunnelAddr { get; set; }

    [JsonPropertyName("vxlanTunnelMACAddr")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? VxlanTunnelMACAddr { get; set; }

    [JsonPropertyName("ipv6VXLANTunnelAddr")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Ipv6VXLANTunnelAddr { get; set; }

    [JsonPropertyName("vxlanTunnelMACAddrV6")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? VxlanTunnelMACAddrV6 { get; set; }

    [JsonPropertyName("orchRefs")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<OrchRef>? OrchRefs { get; set; }

    [JsonPropertyName("wireguard")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public NodeWireguardSpec? Wireguard { get; set; }

    [JsonPropertyName("addresses")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<NodeAddress>? Addresses { get; set; }

    [JsonPropertyName("interfaces")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<NodeInterface>? Interfaces { get; set; }
}
