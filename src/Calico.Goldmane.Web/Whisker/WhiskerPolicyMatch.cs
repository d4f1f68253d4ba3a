using System.Text.Json.Serialization;

namespace Calico.Goldmane.Web.Whisker;

/// <summary>whisker-backend's <c>PolicyMatch</c>.</summary>
internal sealed class WhiskerPolicyMatch
{
    [JsonPropertyName("kind")]
    public string? Kind { get; init; }

    [JsonPropertyName("tier")]
    public WhiskerStringMatch? Tier { get; init; }

    [JsonPropertyName("name")]
    public WhiskerStringMatch? Name { get; init; }

    [JsonPropertyName("namespace")]
    public WhiskerStringMatch? Namespace { get; init; }

    [JsonPropertyName("action")]
    public string? Action { get; init; }
}
