using System.Net;

namespace Calico.Linux.Nflog;

/// <summary>
/// One packet logged to an NFLOG group (nft <c>log group N</c>), decoded from its first bytes: the rule's prefix and
/// the packet's 5-tuple. <see cref="SourcePort"/>/<see cref="DestinationPort"/> are 0 for protocols without ports;
/// for ICMP and ICMPv6 <see cref="IcmpType"/>/<see cref="IcmpCode"/> are set instead. <see cref="PacketLength"/> is
/// the IP packet's length from its header (not the copied bytes). Interface indexes are 0 when the hook has none
/// (no input interface on output, no output interface on input).
/// </summary>
public sealed record NflogPacket(
    ushort Group,
    string Prefix,
    int IpVersion,
    byte Protocol,
    IPAddress Source,
    IPAddress Destination,
    ushort SourcePort,
    ushort DestinationPort,
    int PacketLength)
{
    public byte? IcmpType { get; init; }

    public byte? IcmpCode { get; init; }

    public int InInterface { get; init; }

    public int OutInterface { get; init; }

    /// <summary>The packet's mark when the kernel sent it (non-zero marks only).</summary>
    public uint Mark { get; init; }
}
