using System.Collections.Immutable;
using System.Text;

namespace Calico.Nftables;

/// <summary>Values joined by <c>.</c>, the key of a concatenated set or match (<c>10.0.0.1 . tcp . 80</c>).</summary>
public sealed class NftConcatenation : NftValue
{
    public NftConcatenation(params IEnumerable<NftValue> parts)
    {
        Parts = [.. parts];
        if (Parts.Length < 2)
        {
            throw new ArgumentException("a concatenation has two values or more", nameof(parts));
        }
    }

    public ImmutableArray<NftValue> Parts { get; }

    private protected override void FormatTo(StringBuilder sb)
    {
        for (int i = 0; i < Parts.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(" . ");
            }

            Parts[i].WriteTo(sb);
        }
    }
}
