// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class WorkloadEndpoint : Resource
{
    public const string KindName = "WorkloadEndpoint";

    public WorkloadEndpoint() : base(KindName) { }

    [JsonPropertyName("spec")]
    [JsonPropertyOrder(10)]
    public WorkloadEndpointSpec Spec { get; set; } = new();
}
