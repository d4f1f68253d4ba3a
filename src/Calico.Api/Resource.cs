using System.Text.Json.Serialization;

namespace Calico.Api;

/// <summary>A stored object: type meta, object meta, then the kind's spec (and status).</summary>
public abstract class Resource
{
    public const string CalicoApiVersion = "projectcalico.org/v3";

    protected Resource(string kind, string apiVersion = CalicoApiVersion)
    {
        Kind = kind;
        ApiVersion = apiVersion;
    }

    // Go writes TypeMeta as kind, apiVersion; calicoctl prints them in that order too.
    [JsonPropertyName("kind")]
    [JsonPropertyOrder(-3)]
    public string Kind { get; set; }

    [JsonPropertyName("apiVersion")]
    [JsonPropertyOrder(-2)]
    public string ApiVersion { get; set; }

    [JsonPropertyName("metadata")]
    [JsonPropertyOrder(-1)]
    public ObjectMeta Metadata { get; set; } = new();
}
