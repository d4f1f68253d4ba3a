namespace Calico.Nftables;

/// <summary>Which address a <see cref="NftNat"/> statement rewrites.</summary>
public enum NftNatKind
{
    /// <summary><c>snat</c>: the source (postrouting, input).</summary>
    Snat,

    /// <summary><c>dnat</c>: the destination (prerouting, output).</summary>
    Dnat,
}
