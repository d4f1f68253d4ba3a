using System.Text;

namespace Calico.Nftables;

/// <summary><c>log prefix "text"</c>.</summary>
public sealed class NftLog : NftStatement
{
    public NftLog(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Contains('"', StringComparison.Ordinal))
        {
            throw new ArgumentException("a log prefix cannot hold a quote", nameof(prefix));
        }

        Prefix = prefix;
    }

    public string Prefix { get; }

    internal override void WriteTo(StringBuilder sb) => sb.Append("log prefix \"").Append(Prefix).Append('"');
}
