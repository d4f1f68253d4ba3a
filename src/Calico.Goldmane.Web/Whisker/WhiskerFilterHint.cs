using System.Text.Json.Serialization;

namespace Calico.Goldmane.Web.Whisker;

/// <summary>whisker-backend's <c>FlowFilterHintResponse</c>.</summary>
internal sealed class WhiskerFilterHint
{
    [JsonPropertyName("value")]
    public required string Value { get; init; }
}
