using System.Text.Json.Serialization;

namespace Calico.Api;

/// <summary>networking.k8s.io/v1 NetworkPolicyIngressRule.</summary>
public sealed class KubernetesNetworkPolicyIngressRule
{
    [JsonPropertyName("ports")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<KubernetesNetworkPolicyPort>? Ports { get; set; }

    [JsonPropertyName("from")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<KubernetesNetworkPolicyPeer>? From { get; set; }
}
