// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class BGPPassword
{
    [JsonPropertyName("secretKeyRef")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SecretKeySelector? SecretKeyRef { get; set; }
}
