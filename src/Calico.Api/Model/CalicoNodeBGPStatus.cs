// Declared from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class CalicoNodeBGPStatus
{
    [JsonPropertyName("numberEstablishedV4")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? NumberEstablishedV4 { get; set; }

    [JsonPropertyName("numberNotEstablishedV4")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? NumberNotEstablishedV4 { get; set; }

    [JsonPropertyName("numberEstablishedV6")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? NumberEstablishedV6 { get; set; }

    [JsonPropertyName("numberNotEstablishedV6")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? NumberNotEstablishedV6 { get; set; }

    [JsonPropertyName("peersV4")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<CalicoNodePeer>? PeersV4 { get; set; }

    [JsonPropertyName("peersV6")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<CalicoNodePeer>? PeersV6 { get; set; }
}
