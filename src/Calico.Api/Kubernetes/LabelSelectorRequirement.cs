using System.Text.Json.Serialization;

namespace Calico.Api;

/// <summary>meta/v1 LabelSelectorRequirement.</summary>
public sealed class LabelSelectorRequirement
{
    [JsonPropertyName("key")]
    public string Key { get; set; } = "";

    [JsonPropertyName("operator")]
    public string Operator { get; set; } = "";

    [JsonPropertyName("values")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? Values { get; set; }
}
