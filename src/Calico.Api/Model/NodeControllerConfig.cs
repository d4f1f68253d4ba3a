// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class NodeControllerConfig
{
    [JsonPropertyName("reconcilerPeriod")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ReconcilerPeriod { get; set; }

    [JsonPropertyName("syncLabels")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SyncLabels { get; set; }

    [JsonPropertyName("hostEndpoint")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AutoHostEndpointConfig? HostEndpoint { get; set; }

    [JsonPropertyName("leakGracePeriod")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LeakGracePeriod { get; set; }
}
