// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class Tier : Resource
{
    public const string KindName = "Tier";

    public Tier() : base(KindName) { }

    [JsonPropertyName("spec")]
    [JsonPropertyOrder(10)]
    public TierSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    [JsonPropertyOrder(11)]
    public TierStatus Status { get; set; } = new();
}
