using System.Text;

namespace Calico.Nftables;

/// <summary>A conntrack status bit for <c>ct status</c> (nf_conntrack_common.h's IPS_* values), by nft's name.</summary>
public sealed class NftCtStatus : NftValue
{
    private NftCtStatus(uint bit, string name)
    {
        Bit = bit;
        Name = name;
    }

    /// <summary>IPS_DST_NAT: the connection's destination is translated (DNAT, a host port, a floating IP).</summary>
    public static NftCtStatus Dnat { get; } = new(0x20, "dnat");

    public uint Bit { get; }

    public string Name { get; }

    private protected override void FormatTo(StringBuilder sb) => sb.Append(Name);
}
