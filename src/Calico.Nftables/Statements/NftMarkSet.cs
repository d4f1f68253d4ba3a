using System.Text;

namespace Calico.Nftables;

/// <summary><c>meta mark set meta mark &amp; value</c> or <c>meta mark set meta mark | value</c>.</summary>
public sealed class NftMarkSet(NftMarkOperation operation, uint value) : NftStatement
{
    public NftMarkOperation Operation { get; } = operation;

    public uint Value { get; } = value;

    internal override void WriteTo(StringBuilder sb)
    {
        sb.Append(Operation == NftMarkOperation.And ? "meta mark set meta mark & " : "meta mark set meta mark | ");
        NftMarkValue.Append(sb, Value);
    }
}
