using System.Text.Json.Serialization;

namespace Calico.Api;

/// <summary>networking.k8s.io/v1 NetworkPolicyEgressRule.</summary>
public sealed class KubernetesNetworkPolicyEgressRule
{
    [JsonPropertyName("ports")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<KubernetesNetworkPolicyPort>? Ports { get; set; }

    [JsonPropertyName("to")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<KubernetesNetworkPolicyPeer>? To { get; set; }
}
