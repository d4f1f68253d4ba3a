namespace Calico.Felix.Rules;

/// <summary>
/// What NAT outgoing needs from the datastore (IPv4 and IPv6 mixed): every pool's CIDR, the pools with
/// <c>natOutgoing</c>, and every host's addresses (the Node resources' BGP addresses, upstream's all-hosts set, used
/// with <c>natOutgoingExclusions: IPPoolsAndHostIPs</c>). Traffic from a masquerade pool to anywhere outside all pools
/// (and those hosts) leaves with the host's address.
/// </summary>
public sealed record NatInputs(IReadOnlyList<string> AllPoolCidrs, IReadOnlyList<string> MasqueradePoolCidrs)
{
    /// <summary>No pools: no pool sets and no NAT chain.</summary>
    public static NatInputs None { get; } = new([], []);

    /// <summary>Every node's addresses (plain addresses or CIDRs, v4 and v6).</summary>
    public IReadOnlyList<string> HostAddresses { get; init; } = [];

    /// <summary>CIDRs of the enabled IPv4 pools with ipipMode Always or CrossSubnet (IP-in-IP is on when any; see <see cref="RenderConfig.IpipEnabled"/>).</summary>
    public IReadOnlyList<string> IpipPoolCidrs { get; init; } = [];

    /// <summary>CIDRs of the enabled pools (both families) with vxlanMode Always or CrossSubnet (see <see cref="RenderConfig.VxlanEnabled"/>).</summary>
    public IReadOnlyList<string> VxlanPoolCidrs { get; init; } = [];
}
