using System.Text.Json.Serialization;

namespace Calico.Ipam.Storage;

/// <summary>Upstream model.AllocationAttribute: who holds an allocation, or when it was released (cooldown).</summary>
internal sealed class AllocationAttributeData
{
    [JsonPropertyName("handle_id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? HandleId { get; set; }

    [JsonPropertyName("secondary")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonConverter(typeof(GoSortedStringMapConverter))]
    public Dictionary<string, string>? ActiveOwnerAttrs { get; set; }

    [JsonPropertyName("alternateOwnerAttrs")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonConverter(typeof(GoSortedStringMapConverter))]
    public Dictionary<string, string>? AlternateOwnerAttrs { get; set; }

    [JsonPropertyName("releasedAt")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ReleasedAt { get; set; }

    /// <summary>Go's reflect.DeepEqual over handle and active owner (what findOrAddAttribute compares).</summary>
    public bool SameOwner(string? handleId, IReadOnlyDictionary<string, string>? attrs)
    {
        if (ReleasedAt is not null || AlternateOwnerAttrs is not null || !string.Equals(HandleId, handleId, StringComparison.Ordinal))
        {
            return false;
        }

        if (ActiveOwnerAttrs is null || attrs is null)
        {
            return ActiveOwnerAttrs is null && attrs is null;
        }

        if (ActiveOwnerAttrs.Count != attrs.Count)
        {
            return false;
        }

        foreach (var (k, v) in attrs)
        {
            if (!ActiveOwnerAttrs.TryGetValue(k, out var mine) || !string.Equals(mine, v, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
