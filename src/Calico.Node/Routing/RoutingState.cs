using Calico.Api;

namespace Calico.Node.Routing;

/// <summary>Everything routing (BGP, VXLAN) is computed from, as of one batch. Immutable snapshot.</summary>
internal sealed record RoutingState(
    string NodeName,
    IReadOnlyList<Api.Node> Nodes,
    BGPConfiguration? GlobalBgp,
    IReadOnlyList<BGPConfiguration> NodeBgpConfigs,
    IReadOnlyList<BGPPeer> Peers,
    IReadOnlyList<IPPool> Pools,
    IReadOnlyDictionary<string, string> BlockOwners)
{
    /// <summary>All BGPFilters (BGPPeer <c>filters</c> name them).</summary>
    public IReadOnlyList<BGPFilter> Filters { get; init; } = [];

    /// <summary>CalicoNodeStatus resources whose <c>spec.node</c> is this node.</summary>
    public IReadOnlyList<CalicoNodeStatus> NodeStatuses { get; init; } = [];

    /// <summary>Workload endpoints on this node (BGPPeer <c>localWorkloadSelector</c> selects among them).</summary>
    public IReadOnlyList<WorkloadEndpoint> LocalWorkloads { get; init; } = [];

    /// <summary>Confirmed blocks affine to this node.</summary>
    public IReadOnlyList<string> LocalBlocks => BlockOwners.Where(kv => kv.Value == NodeName).Select(kv => kv.Key).OrderBy(c => c, StringComparer.Ordinal).ToList();

    public Api.Node? Self => Nodes.FirstOrDefault(n => n.Metadata.Name == NodeName);
}
