using System.Text;

namespace Calico.Nftables;

/// <summary>An interface name (<c>"eth0"</c>) or a prefix wildcard (<c>"cali*"</c>), quoted.</summary>
public sealed class NftInterfaceName : NftValue
{
    public NftInterfaceName(string name, bool wildcard = false)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 15 || name.AsSpan().IndexOfAny("*\\\" ") >= 0)
        {
            throw new ArgumentException($"'{name}' is not an interface name nft can carry", nameof(name));
        }

        Name = name;
        Wildcard = wildcard;
        UseText(wildcard ? "\"" + name + "*\"" : "\"" + name + "\"");
    }

    /// <summary>The name, or for a wildcard the prefix before <c>*</c>.</summary>
    public string Name { get; }

    public bool Wildcard { get; }

    private protected override void FormatTo(StringBuilder sb) => sb.Append('"').Append(Name).Append(Wildcard ? "*\"" : "\"");
}
