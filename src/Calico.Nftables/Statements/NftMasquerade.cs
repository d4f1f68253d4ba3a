using System.Text;

namespace Calico.Nftables;

/// <summary>
/// <c>masquerade [to :PORTS] [flags]</c> (a terminal NAT statement in a nat chain): the source becomes the outgoing
/// interface's address, optionally with a source port from a range (nft takes a port only after a transport protocol
/// match in the same rule).
/// </summary>
public sealed class NftMasquerade : NftStatement
{
    public NftMasquerade(bool fullyRandom)
        : this(null, fullyRandom ? NftNatFlags.FullyRandom : NftNatFlags.None)
    {
    }

    public NftMasquerade(NftPortRange? ports, NftNatFlags flags)
    {
        if (ports is { First: 0 })
        {
            throw new ArgumentOutOfRangeException(nameof(ports), ports.Text, "NAT ports start at 1");
        }

        NftNatText.ValidateFlags(flags);
        Ports = ports;
        Flags = flags;
    }

    public bool FullyRandom => (Flags & NftNatFlags.FullyRandom) != 0;

    /// <summary>The source port or port range to map to, or null to keep the port where it is free.</summary>
    public NftPortRange? Ports { get; }

    public NftNatFlags Flags { get; }

    internal override void WriteTo(StringBuilder sb)
    {
        sb.Append("masquerade");
        if (Ports is not null)
        {
            sb.Append(" to ");
            NftNatText.AppendPorts(sb, Ports);
        }

        NftNatText.AppendFlags(sb, Flags);
    }
}
