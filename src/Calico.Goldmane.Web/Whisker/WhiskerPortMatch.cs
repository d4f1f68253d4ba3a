using System.Text.Json.Serialization;

namespace Calico.Goldmane.Web.Whisker;

/// <summary>whisker-backend's <c>FilterMatch[int64]</c>; its <c>type</c> is accepted and, as upstream, not used.</summary>
internal sealed class WhiskerPortMatch
{
    [JsonPropertyName("value")]
    public long Value { get; init; }

    [JsonPropertyName("type")]
    public string? Type { get; init; }
}
