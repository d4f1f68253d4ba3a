// Declared from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class StagedKubernetesNetworkPolicySpec
{
    [JsonPropertyName("stagedAction")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? StagedAction { get; set; }

    [JsonPropertyName("podSelector")]
    public LabelSelector PodSelector { get; set; } = new();

    [JsonPropertyName("ingress")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<KubernetesNetworkPolicyIngressRule>? Ingress { get; set; }

    [JsonPropertyName("egress")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<KubernetesNetworkPolicyEgressRule>? Egress { get; set; }

    [JsonPropertyName("policyTypes")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? PolicyTypes { get; set; }
}
