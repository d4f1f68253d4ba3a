using System.Globalization;
using System.Text;

namespace Calico.Nftables;

/// <summary>A 32-bit packet mark or mask, written as <c>0x%08x</c>.</summary>
public sealed class NftMarkValue(uint value) : NftValue
{
    public uint Value { get; } = value;

    private protected override void FormatTo(StringBuilder sb) => Append(sb, Value);

    /// <summary>Appends <c>0x%08x</c> without allocating.</summary>
    internal static void Append(StringBuilder sb, uint value)
    {
        Span<char> digits = stackalloc char[8];
        value.TryFormat(digits, out _, "x8", CultureInfo.InvariantCulture);
        sb.Append("0x").Append(digits);
    }
}
