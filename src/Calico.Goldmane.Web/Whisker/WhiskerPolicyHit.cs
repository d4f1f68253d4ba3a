using System.Text.Json.Serialization;

namespace Calico.Goldmane.Web.Whisker;

/// <summary>whisker-backend's <c>PolicyHit</c>; <see cref="Trigger"/> is written as null when absent.</summary>
internal sealed class WhiskerPolicyHit
{
    [JsonPropertyName("kind")]
    public required string Kind { get; init; }

    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("namespace")]
    public required string Namespace { get; init; }

    [JsonPropertyName("tier")]
    public required string Tier { get; init; }

    [JsonPropertyName("action")]
    public required string Action { get; init; }

    [JsonPropertyName("policy_index")]
    public required long PolicyIndex { get; init; }

    [JsonPropertyName("rule_index")]
    public required long RuleIndex { get; init; }

    [JsonPropertyName("trigger")]
    public WhiskerPolicyHit? Trigger { get; init; }
}
