// Declared from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class CalicoNodeStatus : Resource
{
    public const string KindName = "CalicoNodeStatus";

    public CalicoNodeStatus() : base(KindName) { }

    [JsonPropertyName("spec")]
    [JsonPropertyOrder(10)]
    public CalicoNodeStatusSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    [JsonPropertyOrder(11)]
    public CalicoNodeStatusStatus Status { get; set; } = new();
}
