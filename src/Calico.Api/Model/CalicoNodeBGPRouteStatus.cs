// Declared from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class CalicoNodeBGPRouteStatus
{
    [JsonPropertyName("routesV4")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<CalicoNodeRoute>? RoutesV4 { get; set; }

    [JsonPropertyName("routesV6")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<CalicoNodeRoute>? RoutesV6 { get; set; }
}
