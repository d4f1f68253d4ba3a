using System.Text.Json.Serialization;

namespace Calico.Api;

/// <summary>core v1 Namespace.</summary>
public sealed class KubernetesNamespace : Resource
{
    public const string KindName = "Namespace";
    public const string GroupVersion = "v1";

    public KubernetesNamespace() : base(KindName, GroupVersion) { }

    [JsonPropertyName("spec")]
    [JsonPropertyOrder(10)]
    public KubernetesNamespaceSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    [JsonPropertyOrder(11)]
    public KubernetesNamespaceStatus Status { get; set; } = new();
}
