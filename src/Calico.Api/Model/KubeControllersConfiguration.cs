// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class KubeControllersConfiguration : Resource
{
    public const string KindName = "KubeControllersConfiguration";

    public KubeControllersConfiguration() : base(KindName) { }

    [JsonPropertyName("spec")]
    [JsonPropertyOrder(10)]
    public KubeControllersConfigurationSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    [JsonPropertyOrder(11)]
    public KubeControllersConfigurationStatus Status { get; set; } = new();
}
