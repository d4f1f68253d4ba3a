using System.Text.Json.Serialization;

namespace Calico.Api;

/// <summary>meta/v1 LabelSelector.</summary>
public sealed class LabelSelector
{
    [JsonPropertyName("matchLabels")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? MatchLabels { get; set; }

    [JsonPropertyName("matchExpressions")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<LabelSelectorRequirement>? MatchExpressions { get; set; }
}
