// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class ClusterInformation : Resource
{
    public const string KindName = "ClusterInformation";

    public ClusterInformation() : base(KindName) { }

    [JsonPropertyName("spec")]
    [JsonPropertyOrder(10)]
    public ClusterInformationSpec Spec { get; set; } = new();
}
