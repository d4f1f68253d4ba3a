using System.Text.Json.Serialization;

namespace Calico.Goldmane.Web.Whisker;

/// <summary>whisker-backend's <c>FilterMatch[string]</c>: a value and <c>Exact</c> (the default) or <c>Fuzzy</c>.</summary>
internal sealed class WhiskerStringMatch
{
    [JsonPropertyName("value")]
    public string? Value { get; init; }

    [JsonPropertyName("type")]
    public string? Type { get; init; }
}
