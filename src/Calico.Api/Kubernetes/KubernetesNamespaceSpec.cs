using System.Text.Json.Serialization;

namespace Calico.Api;

/// <summary>core/v1 NamespaceSpec.</summary>
public sealed class KubernetesNamespaceSpec
{
    [JsonPropertyName("finalizers")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? Finalizers { get; set; }
}
