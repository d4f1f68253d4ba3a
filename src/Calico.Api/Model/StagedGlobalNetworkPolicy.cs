// Declared from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class StagedGlobalNetworkPolicy : Resource
{
    public const string KindName = "StagedGlobalNetworkPolicy";

    public StagedGlobalNetworkPolicy() : base(KindName) { }

    [JsonPropertyName("spec")]
    [JsonPropertyOrder(10)]
    public StagedGlobalNetworkPolicySpec Spec { get; set; } = new();
}
