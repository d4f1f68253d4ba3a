using System.Text;

namespace Calico.Nftables;

/// <summary>
/// <c>notrack</c>: the packet gets no connection tracking entry (it must run before conntrack, a chain of priority
/// <c>raw</c> on hook prerouting or output).
/// </summary>
public sealed class NftNoTrack : NftStatement
{
    private NftNoTrack()
    {
    }

    public static NftNoTrack Instance { get; } = new();

    internal override void WriteTo(StringBuilder sb) => sb.Append("notrack");
}
