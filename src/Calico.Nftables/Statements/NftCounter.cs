using System.Text;

namespace Calico.Nftables;

/// <summary>An anonymous <c>counter</c>.</summary>
public sealed class NftCounter : NftStatement
{
    private NftCounter()
    {
    }

    public static NftCounter Instance { get; } = new();

    internal override void WriteTo(StringBuilder sb) => sb.Append("counter");
}
