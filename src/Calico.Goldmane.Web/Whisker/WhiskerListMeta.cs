using System.Text.Json.Serialization;

namespace Calico.Goldmane.Web.Whisker;

/// <summary>httpmachinery's <c>ListMeta</c>.</summary>
internal sealed class WhiskerListMeta
{
    [JsonPropertyName("totalPages")]
    public long TotalPages { get; init; }
}
