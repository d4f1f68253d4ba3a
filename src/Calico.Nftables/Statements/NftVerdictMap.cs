using System.Text;

namespace Calico.Nftables;

/// <summary><c>iifname vmap @map</c>: the verdict is the map's value for the field (no match falls through).</summary>
public sealed class NftVerdictMap : NftStatement
{
    public NftVerdictMap(NftField field, string map)
    {
        NftNameRules.ThrowIfBadName(map, nameof(map));
        Field = field;
        Map = map;
    }

    public NftField Field { get; }

    public string Map { get; }

    public override bool IsTerminal => true;

    internal override void WriteTo(StringBuilder sb) => sb.Append(NftFields.TextOf(Field)).Append(" vmap @").Append(Map);
}
