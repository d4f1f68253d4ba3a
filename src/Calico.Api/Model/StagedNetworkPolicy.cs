// Declared from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class StagedNetworkPolicy : Resource
{
    public const string KindName = "StagedNetworkPolicy";

    public StagedNetworkPolicy() : base(KindName) { }

    [JsonPropertyName("spec")]
    [JsonPropertyOrder(10)]
    public StagedNetworkPolicySpec Spec { get; set; } = new();
}
