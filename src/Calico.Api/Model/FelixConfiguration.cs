// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class FelixConfiguration : Resource
{
    public const string KindName = "FelixConfiguration";

    public FelixConfiguration() : base(KindName) { }

    [JsonPropertyName("spec")]
    [JsonPropertyOrder(10)]
    public FelixConfigurationSpec Spec { get; set; } = new();
}
