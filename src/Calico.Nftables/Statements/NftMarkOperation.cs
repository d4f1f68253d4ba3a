namespace Calico.Nftables;

/// <summary>How <see cref="NftMarkSet"/> combines the packet's mark with its value.</summary>
public enum NftMarkOperation
{
    /// <summary><c>meta mark set meta mark &amp; value</c>: clear the bits outside value.</summary>
    And,

    /// <summary><c>meta mark set meta mark | value</c>: set value's bits.</summary>
    Or,
}
