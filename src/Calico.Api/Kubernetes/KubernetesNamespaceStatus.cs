using System.Text.Json.Serialization;

namespace Calico.Api;

/// <summary>core/v1 NamespaceStatus.</summary>
public sealed class KubernetesNamespaceStatus
{
    [JsonPropertyName("phase")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Phase { get; set; }

    [JsonPropertyName("conditions")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<KubernetesNamespaceCondition>? Conditions { get; set; }
}
