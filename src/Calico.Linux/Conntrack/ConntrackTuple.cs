using System.Net;

namespace Calico.Linux.Conntrack;

/// <summary>
/// One direction of a connection as conntrack keys it. Ports are 0 for protocols without them; for ICMP and ICMPv6
/// <see cref="IcmpType"/>, <see cref="IcmpCode"/> and <see cref="IcmpId"/> are set instead.
/// </summary>
public sealed record ConntrackTuple(int IpVersion, byte Protocol, IPAddress Source, IPAddress Destination, ushort SourcePort, ushort DestinationPort)
{
    public byte? IcmpType { get; init; }

    public byte? IcmpCode { get; init; }

    public ushort? IcmpId { get; init; }

    public override string ToString() => $"{Protocol} {Source}:{SourcePort} -> {Destination}:{DestinationPort}";
}
