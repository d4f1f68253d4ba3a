using System.Text.Json.Serialization;

namespace Calico.Api;

/// <summary>networking.k8s.io/v1 NetworkPolicy.</summary>
public sealed class KubernetesNetworkPolicy : Resource
{
    public const string KindName = "NetworkPolicy";
    public const string GroupVersion = "networking.k8s.io/v1";

    public KubernetesNetworkPolicy() : base(KindName, GroupVersion) { }

    [JsonPropertyName("spec")]
    [JsonPropertyOrder(10)]
    public KubernetesNetworkPolicySpec Spec { get; set; } = new();
}
