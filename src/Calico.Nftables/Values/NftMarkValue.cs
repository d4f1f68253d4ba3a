using System.Globalization;
using System.Text;

namespace Calico.Nftables;

/// <summary>A 32-bit packet mark or mask, written as <c>0x%08x</c>.</summary>
public sealed class NftMarkValue(uint value) : NftValue
{
    public uint Value { get; } = value;

    internal override void WriteTo(StringBuilder sb) => sb.Append("0x").Append(Value.ToString("x8", CultureInfo.InvariantCulture));
}
