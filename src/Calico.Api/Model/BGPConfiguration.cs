// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class BGPConfiguration : Resource
{
    public const string KindName = "BGPConfiguration";

    public BGPConfiguration() : base(KindName) { }

    [JsonPropertyName("spec")]
    [JsonPropertyOrder(10)]
    public BGPConfigurationSpec Spec { get; set; } = new();
}
