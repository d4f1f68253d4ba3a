// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class BPFConntrackTimeouts
{
    [JsonPropertyName("creationGracePeriod")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CreationGracePeriod { get; set; }

    [JsonPropertyName("tcpSynSent")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TcpSynSent { get; set; }

    [JsonPropertyName("tcpEstablished")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TcpEstablished { get; set; }

    [JsonPropertyName("tcpFinsSeen")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TcpFinsSeen { get; set; }

    [JsonPropertyName("tcpResetSeen")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TcpResetSeen { get; set; }

    [JsonPropertyName("udpTimeout")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? UdpTimeout { get; set; }

    [JsonPropertyName("genericTimeout")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? GenericTimeout { get; set; }

    [JsonPropertyName("icmpTimeout")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IcmpTimeout { get; set; }
}
