using System.Text.Json.Serialization;

namespace Calico.Goldmane.Web.Whisker;

/// <summary>httpmachinery's list envelope: <c>{"total":{"totalPages":N},"items":[...]}</c>.</summary>
internal sealed class WhiskerList<T>
{
    [JsonPropertyName("total")]
    public required WhiskerListMeta Total { get; init; }

    /// <summary>Null when a flow list is empty (Go's nil slice); hints always give an array.</summary>
    [JsonPropertyName("items")]
    public List<T>? Items { get; init; }
}
