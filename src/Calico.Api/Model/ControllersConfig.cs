// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class ControllersConfig
{
    [JsonPropertyName("node")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public NodeControllerConfig? Node { get; set; }

    [JsonPropertyName("policy")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PolicyControllerConfig? Policy { get; set; }

    [JsonPropertyName("workloadEndpoint")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public WorkloadEndpointControllerConfig? WorkloadEndpoint { get; set; }

    [JsonPropertyName("serviceAccount")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ServiceAccountControllerConfig? ServiceAccount { get; set; }

    [JsonPropertyName("namespace")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public NamespaceControllerConfig? Namespace { get; set; }

    [JsonPropertyName("loadBalancer")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public LoadBalancerControllerConfig? LoadBalancer { get; set; }

    [JsonPropertyName("migration")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MigrationControllerConfig? Migration { get; set; }
}
