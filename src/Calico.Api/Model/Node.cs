// Generated from upstream projectcalico/calico API structs (field names, types and order).
using System.Text.Json.Serialization;

namespace Calico.Api;

public sealed partial class Node : Resource
{
    public const string KindName = "Node";

    public Node() : base(KindName) { }

    [JsonPropertyName("spec")]
    [JsonPropertyOrder(10)]
    public NodeSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    [JsonPropertyOrder(11)]
    public NodeStatus Status { get; set; } = new();
}
