// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class NetworkPolicy : Resource
{
    public const string KindName = "NetworkPolicy";

    public NetworkPolicy() : base(KindName) { }

    [JsonPropertyName("spec")]
    [JsonPropertyOrder(10)]
    public NetworkPolicySpec Spec { get; set; } = new();
}
