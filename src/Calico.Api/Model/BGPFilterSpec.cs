// Declared from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class BGPFilterSpec
{
    [JsonPropertyName("exportV4")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<BGPFilterRuleV4>? ExportV4 { get; set; }

    [JsonPropertyName("importV4")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<BGPFilterRuleV4>? ImportV4 { get; set; }

    [JsonPropertyName("exportV6")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<BGPFilterRuleV6>? ExportV6 { get; set; }

    [JsonPropertyName("importV6")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<BGPFilterRuleV6>? ImportV6 { get; set; }
}
