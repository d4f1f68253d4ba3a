// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class QoSControls
{
    [JsonPropertyName("ingressBandwidth")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? IngressBandwidth { get; set; }

    [JsonPropertyName("ingressBurst")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? IngressBurst { get; set; }

    [JsonPropertyName("ingressPeakrate")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? IngressPeakrate { get; set; }

    [JsonPropertyName("ingressMinburst")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? IngressMinburst { get; set; }

    [JsonPropertyName("egressBandwidth")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? EgressBandwidth { get; set; }

    [JsonPropertyName("egressBurst")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? EgressBurst { get; set; }

    [JsonPropertyName("egressPeakrate")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? EgressPeakrate { get; set; }

    [JsonPropertyName("egressMinburst")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? EgressMinburst { get; set; }

    [JsonPropertyName("ingressPacketRate")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? IngressPacketRate { get; set; }

    [JsonPropertyName("ingressPacketBurst")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? IngressPacketBurst { get; set; }

    [JsonPropertyName("egressPacketRate")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? EgressPacketRate { get; set; }

    [JsonPropertyName("egressPacketBurst")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? EgressPacketBurst { get; set; }

    [JsonPropertyName("ingressMaxConnections")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? IngressMaxConnections { get; set; }

    [JsonPropertyName("egressMaxConnections")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? EgressMaxConnections { get; set; }

    [JsonPropertyName("dscp")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dscp? Dscp { get; set; }
}
