using System.Text;

namespace Calico.Nftables;

/// <summary>A network family for <c>meta nfproto</c>: <c>ipv4</c> or <c>ipv6</c>.</summary>
public sealed class NftNfproto : NftValue
{
    private NftNfproto(int family) => Family = family;

    public static NftNfproto Ipv4 { get; } = new(4);

    public static NftNfproto Ipv6 { get; } = new(6);

    /// <summary>4 or 6.</summary>
    public int Family { get; }

    public static NftNfproto Of(int family) => family switch
    {
        4 => Ipv4,
        6 => Ipv6,
        _ => throw new ArgumentOutOfRangeException(nameof(family), "want 4 or 6"),
    };

    private protected override void FormatTo(StringBuilder sb) => sb.Append(Family == 4 ? "ipv4" : "ipv6");
}
