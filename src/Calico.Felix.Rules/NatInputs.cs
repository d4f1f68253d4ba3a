namespace Calico.Felix.Rules;

/// <summary>
/// The IP pools NAT outgoing needs (IPv4 and IPv6 CIDRs mixed): every pool, and the pools with <c>natOutgoing</c>.
/// Traffic from a masquerade pool to anywhere outside all pools leaves with the host's address.
/// </summary>
public sealed record NatInputs(IReadOnlyList<string> AllPoolCidrs, IReadOnlyList<string> MasqueradePoolCidrs)
{
    /// <summary>No pools: no pool sets and no NAT chain.</summary>
    public static NatInputs None { get; } = new([], []);
}
