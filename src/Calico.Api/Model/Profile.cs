// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class Profile : Resource
{
    public const string KindName = "Profile";

    public Profile() : base(KindName) { }

    [JsonPropertyName("spec")]
    [JsonPropertyOrder(10)]
    public ProfileSpec Spec { get; set; } = new();
}
