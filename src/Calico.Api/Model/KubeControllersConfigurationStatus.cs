// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class KubeControllersConfigurationStatus
{
    [JsonPropertyName("runningConfig")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public KubeControllersConfigurationSpec? RunningConfig { get; set; }

    [JsonPropertyName("environmentVars")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? EnvironmentVars { get; set; }
}
