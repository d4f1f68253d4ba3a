namespace Calico.Nftables;

/// <summary>
/// The flags nft 1.0.6 takes after a NAT statement (<c>snat</c>, <c>dnat</c>, <c>masquerade</c>), written in this order
/// and comma-separated, as nft lists them: <c>random,fully-random,persistent</c>.
/// </summary>
[Flags]
public enum NftNatFlags
{
    None = 0,

    /// <summary><c>random</c>: the port mapping is randomised (a hash of the tuple).</summary>
    Random = 1,

    /// <summary><c>fully-random</c>: the port mapping is fully randomised (what Calico's masquerade uses).</summary>
    FullyRandom = 2,

    /// <summary><c>persistent</c>: a client keeps the same source address across connections.</summary>
    Persistent = 4,
}
