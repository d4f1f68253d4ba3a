// Declared from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class CalicoNodeAgentStatus
{
    [JsonPropertyName("birdV4")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BGPDaemonStatus? BirdV4 { get; set; }

    [JsonPropertyName("birdV6")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BGPDaemonStatus? BirdV6 { get; set; }
}
