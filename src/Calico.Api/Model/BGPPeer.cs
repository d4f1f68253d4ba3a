// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class BGPPeer : Resource
{
    public const string KindName = "BGPPeer";

    public BGPPeer() : base(KindName) { }

    [JsonPropertyName("spec")]
    [JsonPropertyOrder(10)]
    public BGPPeerSpec Spec { get; set; } = new();
}
