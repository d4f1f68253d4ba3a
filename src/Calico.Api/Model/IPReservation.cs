// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class IPReservation : Resource
{
    public const string KindName = "IPReservation";

    public IPReservation() : base(KindName) { }

    [JsonPropertyName("spec")]
    [JsonPropertyOrder(10)]
    public IPReservationSpec Spec { get; set; } = new();
}
