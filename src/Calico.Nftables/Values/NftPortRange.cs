using System.Globalization;
using System.Text;

namespace Calico.Nftables;

/// <summary>A transport port (<c>80</c>) or inclusive range (<c>8000-8100</c>).</summary>
public sealed class NftPortRange : NftValue
{
    public NftPortRange(int first, int last)
    {
        if (first < 0 || last > 65535 || first > last)
        {
            throw new ArgumentOutOfRangeException(nameof(last), $"bad port range {first}-{last}");
        }

        First = (ushort)first;
        Last = (ushort)last;
    }

    public NftPortRange(int port)
        : this(port, port)
    {
    }

    public ushort First { get; }

    public ushort Last { get; }

    public bool IsSingle => First == Last;

    private protected override void FormatTo(StringBuilder sb)
    {
        sb.Append(First.ToString(CultureInfo.InvariantCulture));
        if (!IsSingle)
        {
            sb.Append('-').Append(Last.ToString(CultureInfo.InvariantCulture));
        }
    }
}
