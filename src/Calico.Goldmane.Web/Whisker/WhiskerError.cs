using System.Text.Json.Serialization;

namespace Calico.Goldmane.Web.Whisker;

/// <summary>httpmachinery's <c>ErrorResponse</c>: <c>{"error":"..."}</c>.</summary>
internal sealed class WhiskerError
{
    [JsonPropertyName("error")]
    public required string Error { get; init; }
}
