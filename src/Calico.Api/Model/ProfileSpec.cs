// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class ProfileSpec
{
    [JsonPropertyName("ingress")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<Rule>? Ingress { get; set; }

    [JsonPropertyName("egress")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<Rule>? Egress { get; set; }

    [JsonPropertyName("labelsToApply")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? LabelsToApply { get; set; }
}
