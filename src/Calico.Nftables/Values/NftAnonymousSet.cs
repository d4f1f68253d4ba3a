using System.Collections.Immutable;
using System.Text;

namespace Calico.Nftables;

/// <summary>
/// An anonymous set <c>{ a, b }</c>, elements in the order given (the renderer sorts them). A one-element set is kept
/// as written; nft (and the netlink encoder) turn it into a plain comparison.
/// </summary>
public sealed class NftAnonymousSet : NftValue
{
    public NftAnonymousSet(params IEnumerable<NftValue> elements)
    {
        Elements = [.. elements];
        if (Elements.IsEmpty)
        {
            throw new ArgumentException("an anonymous set needs an element", nameof(elements));
        }
    }

    public ImmutableArray<NftValue> Elements { get; }

    private protected override void FormatTo(StringBuilder sb)
    {
        sb.Append("{ ");
        for (int i = 0; i < Elements.Length; i++)
        {
            Elements[i].WriteTo(sb);
            sb.Append(i + 1 < Elements.Length ? ", " : " ");
        }

        sb.Append('}');
    }
}
