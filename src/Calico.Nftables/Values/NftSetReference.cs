using System.Text;

namespace Calico.Nftables;

/// <summary>A named set or map of the table, <c>@name</c>.</summary>
public sealed class NftSetReference : NftValue
{
    public NftSetReference(string name)
    {
        NftNameRules.ThrowIfBadName(name, nameof(name));
        Name = name;
    }

    public string Name { get; }

    private protected override void FormatTo(StringBuilder sb) => sb.Append('@').Append(Name);
}
