// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class WorkloadEndpointSpec
{
    [JsonPropertyName("orchestrator")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Orchestrator { get; set; }

    [JsonPropertyName("workload")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Workload { get; set; }

    [JsonPropertyName("node")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Node { get; set; }

    [JsonPropertyName("containerID")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ContainerID { get; set; }

    [JsonPropertyName("pod")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Pod { get; set; }

    [JsonPropertyName("endpoint")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Endpoint { get; set; }

    [JsonPropertyName("serviceAccountName")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ServiceAccountName { get; set; }

    [JsonPropertyName("ipNetworks")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? IpNetworks { get; set; }

    [JsonPropertyName("ipNATs")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<IPNAT>? IpNATs { get; set; }

    [JsonPropertyName("ipv4Gateway")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Ipv4Gateway { get; set; }

    [JsonPropertyName("ipv6Gateway")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Ipv6Gateway { get; set; }

    [JsonPropertyName("profiles")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? Profiles { get; set; }

    [JsonPropertyName("interfaceName")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? InterfaceName { get; set; }

    [JsonPropertyName("mac")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Mac { get; set; }

    [JsonPropertyName("ports")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<WorkloadEndpointPort>? Ports { get; set; }

    [JsonPropertyName("allowSpoofedSourcePrefixes")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? AllowSpoofedSourcePrefixes { get; set; }

    [JsonPropertyName("qosControls")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public QoSControls? QosControls { get; set; }
}
