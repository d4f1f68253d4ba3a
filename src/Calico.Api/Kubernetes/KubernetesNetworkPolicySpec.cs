using System.Text.Json.Serialization;

namespace Calico.Api;

/// <summary>networking.k8s.io/v1 NetworkPolicySpec.</summary>
public sealed class KubernetesNetworkPolicySpec
{
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
