using System.Globalization;
using System.Net;

namespace Calico.Reachability;

/// <summary>
/// One packet as the dataplane sees it at an endpoint: addresses, IP protocol number and ports (for ICMP,
/// <see cref="IcmpType"/> and <see cref="IcmpCode"/> instead of ports).
/// </summary>
public sealed record Packet(IPAddress SrcIp, IPAddress DstIp, int Protocol, int SrcPort, int DstPort)
{
    public const int Tcp = 6;
    public const int Udp = 17;
    public const int Icmp = 1;
    public const int IcmpV6 = 58;
    public const int Sctp = 132;

    /// <summary>The ephemeral source port probes use.</summary>
    public const int ProbeSourcePort = 40000;

    public int? IcmpType { get; init; }

    public int? IcmpCode { get; init; }

    public int IpVersion => SrcIp.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 6 : 4;

    public static Packet Create(string srcIp, string dstIp, int protocol, int srcPort, int dstPort) =>
        new(IPAddress.Parse(srcIp), IPAddress.Parse(dstIp), protocol, srcPort, dstPort);

    /// <summary>Lower-case protocol name as named-port IP set members spell it ("tcp", "udp", "sctp"), else the number.</summary>
    public static string ProtocolName(int protocol) => protocol switch
    {
        Tcp => "tcp",
        Udp => "udp",
        Sctp => "sctp",
        Icmp => "icmp",
        IcmpV6 => "icmpv6",
        136 => "udplite",
        _ => protocol.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Parses TCP, UDP, SCTP, ICMP, ICMPv6, UDPLite (any case) or a number 0-255.</summary>
    public static bool TryParseProtocol(string text, out int protocol)
    {
        ArgumentNullException.ThrowIfNull(text);
        protocol = text.ToUpperInvariant() switch
        {
            "TCP" => Tcp,
            "UDP" => Udp,
            "SCTP" => Sctp,
            "ICMP" => Icmp,
            "ICMPV6" => IcmpV6,
            "UDPLITE" => 136,
            _ => -1,
        };
        if (protocol >= 0)
        {
            return true;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 255)
        {
            protocol = n;
            return true;
        }

        return false;
    }

    /// <summary>Whether the protocol carries ports (TCP, UDP, SCTP, UDPLite).</summary>
    public static bool HasPorts(int protocol) => protocol is Tcp or Udp or Sctp or 136;

    public override string ToString() => HasPorts(Protocol)
        ? $"{SrcIp}:{SrcPort} -> {DstIp}:{DstPort} {ProtocolName(Protocol).ToUpperInvariant()}"
        : $"{SrcIp} -> {DstIp} {ProtocolName(Protocol).ToUpperInvariant()}";
}
