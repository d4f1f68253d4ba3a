using System.Text.Json.Serialization;

namespace Calico.KubeControllers.Health;

/// <summary>
/// Upstream's status file (<c>kube-controllers/pkg/status</c>): readiness conditions by name, each with a reason when
/// not ready. <see cref="Timestamp"/> is ours: the running process rewrites the file every few seconds, so a file
/// left behind by a killed process reads as stale instead of ready forever.
/// </summary>
internal sealed class StatusDocument
{
    [JsonPropertyName("Readiness")]
    public Dictionary<string, ConditionStatus> Readiness { get; set; } = new(StringComparer.Ordinal);

    [JsonPropertyName("Timestamp")]
    public DateTimeOffset? Timestamp { get; set; }

    /// <summary>Ours: whether this instance holds the lease (runs the controllers) or stands by.</summary>
    [JsonPropertyName("Active")]
    public bool? Active { get; set; }
}
