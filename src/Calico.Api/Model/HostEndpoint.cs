// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class HostEndpoint : Resource
{
    public const string KindName = "HostEndpoint";

    public HostEndpoint() : base(KindName) { }

    [JsonPropertyName("spec")]
    [JsonPropertyOrder(10)]
    public HostEndpointSpec Spec { get; set; } = new();
}
