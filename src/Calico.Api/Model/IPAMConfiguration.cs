// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class IPAMConfiguration : Resource
{
    public const string KindName = "IPAMConfiguration";

    public IPAMConfiguration() : base(KindName) { }

    [JsonPropertyName("spec")]
    [JsonPropertyOrder(10)]
    public IPAMConfigurationSpec Spec { get; set; } = new();
}
