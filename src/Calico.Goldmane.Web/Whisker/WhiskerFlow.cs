using System.Text.Json.Serialization;

namespace Calico.Goldmane.Web.Whisker;

/// <summary>One flow as whisker-backend's <c>FlowResponse</c> writes it (every field always present).</summary>
internal sealed class WhiskerFlow
{
    /// <summary>RFC 3339, UTC, whole seconds (Go's <c>time.Time</c> JSON of <c>time.Unix(start_time, 0)</c>).</summary>
    [JsonPropertyName("start_time")]
    public required string StartTime { get; init; }

    [JsonPropertyName("end_time")]
    public required string EndTime { get; init; }

    [JsonPropertyName("action")]
    public required string Action { get; init; }

    [JsonPropertyName("source_name")]
    public required string SourceName { get; init; }

    [JsonPropertyName("source_namespace")]
    public required string SourceNamespace { get; init; }

    /// <summary>The labels joined with <c>" | "</c>, as upstream.</summary>
    [JsonPropertyName("source_labels")]
    public required string SourceLabels { get; init; }

    [JsonPropertyName("dest_name")]
    public required string DestName { get; init; }

    [JsonPropertyName("dest_namespace")]
    public required string DestNamespace { get; init; }

    [JsonPropertyName("dest_labels")]
    public required string DestLabels { get; init; }

    [JsonPropertyName("protocol")]
    public required string Protocol { get; init; }

    [JsonPropertyName("dest_port")]
    public required long DestPort { get; init; }

    [JsonPropertyName("reporter")]
    public required string Reporter { get; init; }

    [JsonPropertyName("policies")]
    public required WhiskerPolicyTrace Policies { get; init; }

    [JsonPropertyName("packets_in")]
    public required long PacketsIn { get; init; }

    [JsonPropertyName("packets_out")]
    public required long PacketsOut { get; init; }

    [JsonPropertyName("bytes_in")]
    public required long BytesIn { get; init; }

    [JsonPropertyName("bytes_out")]
    public required long BytesOut { get; init; }
}
