// Declared from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class BGPFilterOperation
{
    [JsonPropertyName("addCommunity")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BGPFilterAddCommunity? AddCommunity { get; set; }

    [JsonPropertyName("prependASPath")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BGPFilterPrependASPath? PrependASPath { get; set; }

    [JsonPropertyName("setPriority")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BGPFilterSetPriority? SetPriority { get; set; }
}
