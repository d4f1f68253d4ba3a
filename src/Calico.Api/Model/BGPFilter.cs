// Declared from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class BGPFilter : Resource
{
    public const string KindName = "BGPFilter";

    public BGPFilter() : base(KindName) { }

    [JsonPropertyName("spec")]
    [JsonPropertyOrder(10)]
    public BGPFilterSpec Spec { get; set; } = new();
}
