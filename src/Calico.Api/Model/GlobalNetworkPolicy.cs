// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class GlobalNetworkPolicy : Resource
{
    public const string KindName = "GlobalNetworkPolicy";

    public GlobalNetworkPolicy() : base(KindName) { }

    [JsonPropertyName("spec")]
    [JsonPropertyOrder(10)]
    public GlobalNetworkPolicySpec Spec { get; set; } = new();
}
