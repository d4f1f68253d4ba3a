using System.Text.Json.Serialization;

namespace Calico.Api;

/// <summary>networking.k8s.io/v1 NetworkPolicyPort.</summary>
public sealed class KubernetesNetworkPolicyPort
{
    [JsonPropertyName("protocol")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Protocol { get; set; }

    [JsonPropertyName("port")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IntOrString? Port { get; set; }

    [JsonPropertyName("endPort")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? EndPort { get; set; }
}
