using Calico.Goldmane.Api;

namespace Calico.Felix.FlowLogs;

/// <summary>
/// One end of a flow as upstream's FlowKey names it: type, aggregated name, namespace ("-" for global things and
/// networks, as upstream's collector writes) and labels as sorted "key=value" strings.
/// </summary>
public sealed record FlowEndpoint(EndpointType Type, string Name, string Namespace, IReadOnlyList<string> Labels)
{
    /// <summary>Upstream's <c>FieldNotIncluded</c>: the namespace of host endpoints, global network sets and networks.</summary>
    public const string NoNamespace = "-";

    public static FlowEndpoint PrivateNetwork { get; } = new(EndpointType.Network, "pvt", NoNamespace, []);

    public static FlowEndpoint PublicNetwork { get; } = new(EndpointType.Network, "pub", NoNamespace, []);
}
