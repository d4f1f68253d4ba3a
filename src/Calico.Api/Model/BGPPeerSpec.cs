// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class BGPPeerSpec
{
    [JsonPropertyName("node")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Node { get; set; }

    [JsonPropertyName("nodeSelector")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NodeSelector { get; set; }

    [JsonPropertyName("peerIP")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PeerIP { get; set; }

    [JsonPropertyName("asNumber")]
    [JsonConverter(typeof(Serialization.AsNumberConverter))]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public uint? AsNumber { get; set; }

    [JsonPropertyName("localASNumber")]
    [JsonConverter(typeof(Serialization.AsNumberConverter))]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public uint? LocalASNumber { get; set; }

    [JsonPropertyName("peerSelector")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PeerSelector { get; set; }

    [JsonPropertyName("keepOriginalNextHop")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? KeepOriginalNextHop { get; set; }

    [JsonPropertyName("nextHopMode")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NextHopMode { get; set; }

    [JsonPropertyName("password")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BGPPassword? Password { get; set; }

    [JsonPropertyName("sourceAddress")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SourceAddress { get; set; }

    [JsonPropertyName("maxRestartTime")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MaxRestartTime { get; set; }

    [JsonPropertyName("keepaliveTime")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? KeepaliveTime { get; set; }

    [JsonPropertyName("numAllowedLocalASNumbers")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? NumAllowedLocalASNumbers { get; set; }

    [JsonPropertyName("ttlSecurity")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public byte? TtlSecurity { get; set; }

    [JsonPropertyName("reachableBy")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ReachableBy { get; set; }

    [JsonPropertyName("filters")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? Filters { get; set; }

    [JsonPropertyName("localWorkloadSelector")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LocalWorkloadSelector { get; set; }

    [JsonPropertyName("reversePeering")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ReversePeering { get; set; }
}
