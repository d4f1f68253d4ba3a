// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class BGPConfigurationSpec
{
    [JsonPropertyName("logSeverityScreen")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LogSeverityScreen { get; set; }

    [JsonPropertyName("nodeToNodeMeshEnabled")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? NodeToNodeMeshEnabled { get; set; }

    [JsonPropertyName("asNumber")]
    [JsonConverter(typeof(Serialization.AsNumberConverter))]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public uint? AsNumber { get; set; }

    [JsonPropertyName("serviceLoadBalancerIPs")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<ServiceLoadBalancerIPBlock>? ServiceLoadBalancerIPs { get; set; }

    [JsonPropertyName("serviceExternalIPs")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<ServiceExternalIPBlock>? ServiceExternalIPs { get; set; }

    [JsonPropertyName("serviceClusterIPs")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<ServiceClusterIPBlock>? ServiceClusterIPs { get; set; }

    [JsonPropertyName("serviceLoadBalancerAggregation")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ServiceLoadBalancerAggregation { get; set; }

    [JsonPropertyName("communities")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<Community>? Communities { get; set; }

    [JsonPropertyName("prefixAdvertisements")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<PrefixAdvertisement>? PrefixAdvertisements { get; set; }

    [JsonPropertyName("listenPort")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ushort? ListenPort { get; set; }

    [JsonPropertyName("nodeMeshPassword")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BGPPassword? NodeMeshPassword { get; set; }

    [JsonPropertyName("nodeMeshMaxRestartTime")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NodeMeshMaxRestartTime { get; set; }

    [JsonPropertyName("bindMode")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BindMode { get; set; }

    [JsonPropertyName("ignoredInterfaces")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? IgnoredInterfaces { get; set; }

    [JsonPropertyName("localWorkloadPeeringIPV4")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LocalWorkloadPeeringIPV4 { get; set; }

    [JsonPropertyName("localWorkloadPeeringIPV6")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LocalWorkloadPeeringIPV6 { get; set; }

    [JsonPropertyName("programClusterRoutes")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ProgramClusterRoutes { get; set; }

    [JsonPropertyName("ipv4NormalRoutePriority")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Ipv4NormalRoutePriority { get; set; }

    [JsonPropertyName("ipv6NormalRoutePriority")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Ipv6NormalRoutePriority { get; set; }
}
