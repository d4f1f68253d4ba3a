// Declared from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class BGPFilterRuleV6
{
    [JsonPropertyName("cidr")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Cidr { get; set; }

    [JsonPropertyName("prefixLength")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BGPFilterPrefixLength? PrefixLength { get; set; }

    [JsonPropertyName("source")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Source { get; set; }

    [JsonPropertyName("interface")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Interface { get; set; }

    [JsonPropertyName("matchOperator")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MatchOperator { get; set; }

    [JsonPropertyName("peerType")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PeerType { get; set; }

    [JsonPropertyName("communities")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BGPFilterCommunityMatch? Communities { get; set; }

    [JsonPropertyName("asPathPrefix")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<uint>? AsPathPrefix { get; set; }

    [JsonPropertyName("priority")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Priority { get; set; }

    [JsonPropertyName("action")]
    public string Action { get; set; } = "";

    [JsonPropertyName("operations")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<BGPFilterOperation>? Operations { get; set; }
}
