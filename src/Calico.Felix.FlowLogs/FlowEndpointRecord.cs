using System.Net;
using Calico.Goldmane.Api;

namespace Calico.Felix.FlowLogs;

/// <summary>
/// What the identity index learns about one workload endpoint, host endpoint or (global) network set: its
/// flow-log identity and the networks it owns. The wiring builds these from the datastore's resources.
/// </summary>
public sealed record FlowEndpointRecord(FlowEndpoint Identity, IReadOnlyList<IPNetwork> Nets)
{
    /// <summary>
    /// A workload endpoint. Upstream names it by its pod's GenerateName plus "*" when the pod has one, else by the
    /// pod's name (<c>felix/collector/types/endpoint</c>). We have no pods: <paramref name="podOrWorkload"/> is the
    /// endpoint's <c>pod</c> field, or its <c>workload</c> field when there is no pod (upstream's "no generateName"
    /// rule). <paramref name="generateName"/> is honoured when a caller has one.
    /// </summary>
    public static FlowEndpointRecord Workload(string ns, string podOrWorkload, IReadOnlyDictionary<string, string> labels,
        IReadOnlyList<IPNetwork> nets, string? generateName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(ns);
        ArgumentException.ThrowIfNullOrEmpty(podOrWorkload);
        string name = string.IsNullOrEmpty(generateName) ? podOrWorkload : generateName + "*";
        return new(new FlowEndpoint(EndpointType.WorkloadEndpoint, name, ns, FlowLabels.Flatten(labels)), nets);
    }

    /// <summary>A host endpoint: upstream names it by its node (aggregated name = hostname), namespace "-".</summary>
    public static FlowEndpointRecord Host(string node, IReadOnlyDictionary<string, string> labels, IReadOnlyList<IPNetwork> nets)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        return new(new FlowEndpoint(EndpointType.HostEndpoint, node, FlowEndpoint.NoNamespace, FlowLabels.Flatten(labels)), nets);
    }

    /// <summary>A NetworkSet (namespace given) or GlobalNetworkSet (namespace null: "-").</summary>
    public static FlowEndpointRecord NetworkSet(string? ns, string name, IReadOnlyDictionary<string, string> labels, IReadOnlyList<IPNetwork> nets)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new(new FlowEndpoint(EndpointType.NetworkSet, name, string.IsNullOrEmpty(ns) ? FlowEndpoint.NoNamespace : ns, FlowLabels.Flatten(labels)), nets);
    }
}
