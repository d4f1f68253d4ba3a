// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class IPPool : Resource
{
    public const string KindName = "IPPool";

    public IPPool() : base(KindName) { }

    [JsonPropertyName("spec")]
    [JsonPropertyOrder(10)]
    public IPPoolSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    [JsonPropertyOrder(11)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IPPoolStatus? Status { get; set; }
}
