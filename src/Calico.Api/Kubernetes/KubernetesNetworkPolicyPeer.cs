using System.Text.Json.Serialization;

namespace Calico.Api;

/// <summary>networking.k8s.io/v1 NetworkPolicyPeer.</summary>
public sealed class KubernetesNetworkPolicyPeer
{
    [JsonPropertyName("podSelector")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public LabelSelector? PodSelector { get; set; }

    [JsonPropertyName("namespaceSelector")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public LabelSelector? NamespaceSelector { get; set; }

    [JsonPropertyName("ipBlock")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IPBlock? IPBlock { get; set; }
}
