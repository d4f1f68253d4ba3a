using System.Text;

namespace Calico.Nftables;

/// <summary><c>accept</c>, <c>drop</c>, <c>return</c>, <c>jump chain</c>, <c>goto chain</c>; also a map's value.</summary>
public sealed class NftVerdict : NftStatement, IEquatable<NftVerdict>
{
    private NftVerdict(NftVerdictKind kind, string? chain)
    {
        Kind = kind;
        Chain = chain;
    }

    public static NftVerdict Accept { get; } = new(NftVerdictKind.Accept, null);

    public static NftVerdict Drop { get; } = new(NftVerdictKind.Drop, null);

    public static NftVerdict Return { get; } = new(NftVerdictKind.Return, null);

    public NftVerdictKind Kind { get; }

    /// <summary>The target of a jump or goto, else null.</summary>
    public string? Chain { get; }

    public override bool IsTerminal => true;

    public static NftVerdict Jump(string chain)
    {
        NftNameRules.ThrowIfBadName(chain, nameof(chain));
        return new NftVerdict(NftVerdictKind.Jump, chain);
    }

    public static NftVerdict Goto(string chain)
    {
        NftNameRules.ThrowIfBadName(chain, nameof(chain));
        return new NftVerdict(NftVerdictKind.Goto, chain);
    }

    internal override void WriteTo(StringBuilder sb)
    {
        sb.Append(Kind switch
        {
            NftVerdictKind.Accept => "accept",
            NftVerdictKind.Drop => "drop",
            NftVerdictKind.Return => "return",
            NftVerdictKind.Jump => "jump ",
            _ => "goto ",
        });
        if (Chain is not null)
        {
            sb.Append(Chain);
        }
    }

    public bool Equals(NftVerdict? other) => other is not null && Kind == other.Kind && string.Equals(Chain, other.Chain, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as NftVerdict);

    public override int GetHashCode() => HashCode.Combine(Kind, Chain is null ? 0 : StringComparer.Ordinal.GetHashCode(Chain));
}
