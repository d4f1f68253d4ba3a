using System.Text.Json.Serialization;

namespace Calico.Goldmane.Web.Whisker;

/// <summary>
/// The <c>filters</c> query parameter's JSON (whisker-backend's <c>Filters</c>). Enum values stay strings here and
/// are checked against upstream's names when converted, so a bad one is reported by its spelling.
/// </summary>
internal sealed class WhiskerFilters
{
    [JsonPropertyName("source_names")]
    public List<WhiskerStringMatch>? SourceNames { get; init; }

    [JsonPropertyName("source_namespaces")]
    public List<WhiskerStringMatch>? SourceNamespaces { get; init; }

    [JsonPropertyName("dest_names")]
    public List<WhiskerStringMatch>? DestNames { get; init; }

    [JsonPropertyName("dest_namespaces")]
    public List<WhiskerStringMatch>? DestNamespaces { get; init; }

    [JsonPropertyName("protocols")]
    public List<WhiskerStringMatch>? Protocols { get; init; }

    [JsonPropertyName("dest_ports")]
    public List<WhiskerPortMatch>? DestPorts { get; init; }

    [JsonPropertyName("actions")]
    public List<string>? Actions { get; init; }

    [JsonPropertyName("pending_actions")]
    public List<string>? PendingActions { get; init; }

    [JsonPropertyName("policies")]
    public List<WhiskerPolicyMatch>? Policies { get; init; }

    [JsonPropertyName("reporter")]
    public string? Reporter { get; init; }
}
