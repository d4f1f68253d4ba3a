using System.Text.Json.Serialization;

namespace Calico.Api;

/// <summary>networking.k8s.io/v1 IPBlock.</summary>
public sealed class IPBlock
{
    [JsonPropertyName("cidr")]
    public string Cidr { get; set; } = "";

    [JsonPropertyName("except")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? Except { get; set; }
}
