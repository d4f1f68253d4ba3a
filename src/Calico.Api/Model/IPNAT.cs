// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class IPNAT
{
    [JsonPropertyName("internalIP")]
    public string InternalIP { get; set; } = "";

    [JsonPropertyName("externalIP")]
    public string ExternalIP { get; set; } = "";
}
