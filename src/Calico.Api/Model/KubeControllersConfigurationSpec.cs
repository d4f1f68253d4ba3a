// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class KubeControllersConfigurationSpec
{
    [JsonPropertyName("logSeverityScreen")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LogSeverityScreen { get; set; }

    [JsonPropertyName("healthChecks")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? HealthChecks { get; set; }

    [JsonPropertyName("etcdV3CompactionPeriod")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? EtcdV3CompactionPeriod { get; set; }

    [JsonPropertyName("prometheusMetricsPort")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? PrometheusMetricsPort { get; set; }

    [JsonPropertyName("controllers")]
    public ControllersConfig Controllers { get; set; } = new();

    [JsonPropertyName("debugProfilePort")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? DebugProfilePort { get; set; }
}
