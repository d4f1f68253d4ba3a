using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Calico.Nftables;

/// <summary>
/// <c>snat|dnat ip|ip6 to ADDRESS[:PORTS] [flags]</c> in an inet table: the address of one family (named, as an inet
/// table needs), an optional port or port range (<c>[fd00::1]:1024-65535</c> for IPv6), and the NAT flags. nft takes
/// a port only after a transport protocol match (<c>meta l4proto tcp</c>) in the same rule.
/// </summary>
public sealed class NftNat : NftStatement
{
    public NftNat(NftNatKind kind, IPAddress address, NftPortRange? ports = null, NftNatFlags flags = NftNatFlags.None)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (kind is not (NftNatKind.Snat or NftNatKind.Dnat))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "snat or dnat");
        }

        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            || (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0))
        {
            throw new ArgumentException($"'{address}' is not an IPv4 or IPv6 address without a scope", nameof(address));
        }

        if (ports is { First: 0 })
        {
            throw new ArgumentOutOfRangeException(nameof(ports), ports.Text, "NAT ports start at 1");
        }

        NftNatText.ValidateFlags(flags);
        Kind = kind;
        Address = address;
        Ports = ports;
        Flags = flags;
    }

    public NftNatKind Kind { get; }

    public IPAddress Address { get; }

    /// <summary>4 or 6.</summary>
    public int Family => Address.AddressFamily == AddressFamily.InterNetwork ? 4 : 6;

    /// <summary>The port or port range to map to, or null to keep the port (as the kernel does, unless it clashes).</summary>
    public NftPortRange? Ports { get; }

    public NftNatFlags Flags { get; }

    public static NftNat Snat(IPAddress address, NftPortRange? ports = null, NftNatFlags flags = NftNatFlags.None) =>
        new(NftNatKind.Snat, address, ports, flags);

    public static NftNat Dnat(IPAddress address, NftPortRange? ports = null, NftNatFlags flags = NftNatFlags.None) =>
        new(NftNatKind.Dnat, address, ports, flags);

    internal override void WriteTo(StringBuilder sb)
    {
        sb.Append(Kind == NftNatKind.Snat ? "snat " : "dnat ").Append(Family == 4 ? "ip to " : "ip6 to ");
        bool bracket = Family == 6 && Ports is not null;
        if (bracket)
        {
            sb.Append('[');
        }

        sb.Append(Address.ToString());
        if (bracket)
        {
            sb.Append(']');
        }

        if (Ports is not null)
        {
            NftNatText.AppendPorts(sb, Ports);
        }

        NftNatText.AppendFlags(sb, Flags);
    }
}
