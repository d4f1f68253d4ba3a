// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class NetworkSet : Resource
{
    public const string KindName = "NetworkSet";

    public NetworkSet() : base(KindName) { }

    [JsonPropertyName("spec")]
    [JsonPropertyOrder(10)]
    public NetworkSetSpec Spec { get; set; } = new();
}
