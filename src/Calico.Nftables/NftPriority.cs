using System.Globalization;

namespace Calico.Nftables;

/// <summary>
/// A base chain's priority as nft spells it: a standard name with an offset (<c>filter - 5</c>, <c>srcnat + 10</c>,
/// <c>raw</c>). <see cref="Value"/> is the number the kernel holds.
/// </summary>
public sealed record NftPriority(string Name, int Offset)
{
    public static NftPriority Raw { get; } = new("raw", 0);

    public static NftPriority Filter { get; } = new("filter", 0);

    public static NftPriority SrcNat { get; } = new("srcnat", 0);

    /// <summary>The kernel's number (NF_IP_PRI_*).</summary>
    public int Value => Offset + Name switch
    {
        "raw" => -300,
        "mangle" => -150,
        "dstnat" => -100,
        "filter" => 0,
        "security" => 50,
        "srcnat" => 100,
        _ => throw new InvalidOperationException($"unknown priority name '{Name}'"),
    };

    public NftPriority Plus(int offset) => this with { Offset = Offset + offset };

    public override string ToString() => Offset switch
    {
        0 => Name,
        > 0 => Name + " + " + Offset.ToString(CultureInfo.InvariantCulture),
        _ => Name + " - " + (-Offset).ToString(CultureInfo.InvariantCulture),
    };
}
