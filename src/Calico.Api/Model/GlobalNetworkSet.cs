// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class GlobalNetworkSet : Resource
{
    public const string KindName = "GlobalNetworkSet";

    public GlobalNetworkSet() : base(KindName) { }

    [JsonPropertyName("spec")]
    [JsonPropertyOrder(10)]
    public GlobalNetworkSetSpec Spec { get; set; } = new();
}
