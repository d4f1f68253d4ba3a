namespace Calico.Felix.Rules;

/// <summary>
/// A failsafe port (Felix <c>FailsafeInboundHostPorts</c> / <c>FailsafeOutboundHostPorts</c>): protocol "tcp", "udp"
/// or "sctp", the destination port, and optionally a CIDR the peer must be in (source inbound, destination outbound).
/// </summary>
public sealed record HostPort(string Protocol, int Port, string? Net = null);
