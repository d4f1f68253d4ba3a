// Declared from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class StagedKubernetesNetworkPolicy : Resource
{
    public const string KindName = "StagedKubernetesNetworkPolicy";

    public StagedKubernetesNetworkPolicy() : base(KindName) { }

    [JsonPropertyName("spec")]
    [JsonPropertyOrder(10)]
    public StagedKubernetesNetworkPolicySpec Spec { get; set; } = new();
}
