using System.Text.Json.Serialization;

namespace Calico.Goldmane.Web.Whisker;

/// <summary>whisker-backend's <c>PolicyTrace</c>: null (not <c>[]</c>) when a trace has no hits, as Go writes a nil slice.</summary>
internal sealed class WhiskerPolicyTrace
{
    [JsonPropertyName("enforced")]
    public List<WhiskerPolicyHit>? Enforced { get; init; }

    [JsonPropertyName("pending")]
    public List<WhiskerPolicyHit>? Pending { get; init; }
}
