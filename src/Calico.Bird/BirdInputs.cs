using Calico.Api;

namespace Calico.Bird;

/// <summary>
/// Everything BIRD's configuration for one node is rendered from: a snapshot of the datastore as this node sees it
/// (what upstream's confd reads from <c>/calico/bgp/v1/...</c> and the v3 resources it watches).
/// </summary>
/// <param name="NodeName">The node being rendered (upstream's <c>NODENAME</c>).</param>
/// <param name="Nodes">All Calico nodes: this one (for its IPs, AS, labels, RR cluster ID) and the candidates for the
/// mesh and for <c>peerSelector</c>.</param>
/// <param name="GlobalConfig">The <c>default</c> BGPConfiguration, if any (mesh switch, AS, listen port, mesh
/// password and restart time, ignored interfaces, route priority, cluster-route ownership).</param>
/// <param name="NodeConfigs">Per-node BGPConfigurations (<c>node.&lt;name&gt;</c>) of any node: this node's
/// <c>listenPort</c> and the listen ports of peer nodes. Others are ignored.</param>
/// <param name="Peers">All BGPPeers; the renderer picks those that apply to this node.</param>
/// <param name="Pools">All IPPools (both families).</param>
/// <param name="LocalBlocks">Confirmed IPAM block CIDRs affine to this node (both families); advertised as a
/// whole and blackholed locally. Pending or pending-deletion blocks must not be listed.</param>
public sealed record BirdInputs(
    string NodeName,
    IReadOnlyList<Node> Nodes,
    BGPConfiguration? GlobalConfig,
    IReadOnlyList<BGPConfiguration> NodeConfigs,
    IReadOnlyList<BGPPeer> Peers,
    IReadOnlyList<IPPool> Pools,
    IReadOnlyList<string> LocalBlocks)
{
    /// <summary>
    /// Resolves a BGP password (<c>secretKeyRef</c>: secret name, key) to its value, or null when it cannot. There is
    /// no Kubernetes here, so the caller decides where secrets live (calico-node reads files, e.g.
    /// <c>&lt;secrets-dir&gt;/&lt;name&gt;/&lt;key&gt;</c>). Without a lookup, or when it returns null, the session
    /// is rendered without a password, as upstream does when a secret cannot be read.
    /// </summary>
    public Func<string, string, string?>? SecretLookup { get; init; }

    /// <summary>All BGPFilters; a BGPPeer's <c>spec.filters</c> names them.</summary>
    public IReadOnlyList<BGPFilter> Filters { get; init; } = [];

    /// <summary>Workload endpoints on this node, for BGPPeers with <c>localWorkloadSelector</c>.</summary>
    public IReadOnlyList<WorkloadEndpoint> LocalWorkloads { get; init; } = [];

    /// <summary>
    /// The file BIRD logs to (moved aside to <c>&lt;file&gt;.1</c> at 8 MiB); null logs to stderr, which a daemonised
    /// BIRD has closed.
    /// </summary>
    public string? LogFile { get; init; }

    /// <summary>
    /// BIRD's <c>router id</c> when set (upstream's <c>CALICO_ROUTER_ID</c>, resolved by calico-node: an IPv4 address,
    /// <c>hash</c> already turned into one by <see cref="BirdRouterId.Hash"/>); null uses the node's IPv4 address.
    /// </summary>
    public string? RouterId { get; init; }

    /// <summary>The password a <c>secretKeyRef</c> names, if any and resolvable.</summary>
    public string? PasswordFor(BGPPassword? password)
    {
        var reference = password?.SecretKeyRef;
        if (reference is null || SecretLookup is null || string.IsNullOrEmpty(reference.Name) || reference.Key.Length == 0)
        {
            return null;
        }

        return SecretLookup(reference.Name, reference.Key);
    }
}
