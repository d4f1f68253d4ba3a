using System.Text;

namespace Calico.Nftables;

/// <summary><c>masquerade [fully-random]</c> (a terminal NAT statement in a nat chain).</summary>
public sealed class NftMasquerade(bool fullyRandom) : NftStatement
{
    public bool FullyRandom { get; } = fullyRandom;

    internal override void WriteTo(StringBuilder sb) => sb.Append(FullyRandom ? "masquerade fully-random" : "masquerade");
}
