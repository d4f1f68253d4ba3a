using System.Text;

namespace Calico.Nftables;

/// <summary><c>meta mark &amp; mask == value</c> (or <c>!=</c>).</summary>
public sealed class NftMarkMatch(uint mask, uint value, bool negated = false) : NftStatement
{
    public uint Mask { get; } = mask;

    public uint Value { get; } = value;

    public bool Negated { get; } = negated;

    internal override void WriteTo(StringBuilder sb)
    {
        sb.Append("meta mark & ");
        NftMarkValue.Append(sb, Mask);
        sb.Append(Negated ? " != " : " == ");
        NftMarkValue.Append(sb, Value);
    }
}
