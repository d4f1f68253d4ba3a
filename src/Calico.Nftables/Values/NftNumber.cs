using System.Globalization;
using System.Text;

namespace Calico.Nftables;

/// <summary>A one-byte number: an ICMP type or code.</summary>
public sealed class NftNumber(byte value) : NftValue
{
    public byte Value { get; } = value;

    private protected override void FormatTo(StringBuilder sb) => sb.Append(Value.ToString(CultureInfo.InvariantCulture));
}
