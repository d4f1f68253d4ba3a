using System.Text;

namespace Calico.Nftables;

/// <summary>A set of conntrack states for <c>ct state</c>, written in bit order (<c>established,related</c>).</summary>
public sealed class NftCtState : NftValue
{
    private static readonly (NftCtStates Bit, string Name)[] Names =
    [
        (NftCtStates.Invalid, "invalid"),
        (NftCtStates.Established, "established"),
        (NftCtStates.Related, "related"),
        (NftCtStates.New, "new"),
        (NftCtStates.Untracked, "untracked"),
    ];

    public NftCtState(NftCtStates states)
    {
        if (states == NftCtStates.None)
        {
            throw new ArgumentException("no conntrack state", nameof(states));
        }

        States = states;
    }

    public NftCtStates States { get; }

    private protected override void FormatTo(StringBuilder sb)
    {
        bool first = true;
        foreach (var (bit, name) in Names)
        {
            if ((States & bit) != 0)
            {
                sb.Append(first ? string.Empty : ",").Append(name);
                first = false;
            }
        }
    }
}
