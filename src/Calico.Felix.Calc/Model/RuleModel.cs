namespace Calico.Felix.Calc.Model;

public enum RuleAction
{
    Allow,
    Deny,
    Pass,
    Log,
}

/// <summary>An inclusive port range; a single port has <see cref="First"/> == <see cref="Last"/>.</summary>
public readonly record struct PortRange(int First, int Last)
{
    public bool Contains(int port) => port >= First && port <= Last;

    public override string ToString() => First == Last ? First.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{First}:{Last}";
}

/// <summary>
/// One rule as the dataplane renders it (upstream's proto.Rule): every selector is already resolved to IP set
/// ids, every namespace rewrite applied. Semantics, all conditions ANDed:
/// <list type="bullet">
/// <item>Protocol: number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, 132 SCTP, 136 UDPLite); null = any.</item>
/// <item>Nets: the address is in at least one of <c>SrcNets</c> (when not empty) and in none of <c>NotSrcNets</c>.</item>
/// <item>IP sets: the address is in every set of <c>SrcIpSetIds</c> and in none of <c>NotSrcIpSetIds</c>.</item>
/// <item>Ports: when <c>SrcPorts</c> or <c>SrcNamedPortIpSetIds</c> is non-empty, the port is in one of the ranges
/// OR "ip,protocol:port" is in one of the named-port sets; the port is in none of <c>NotSrcPorts</c> and
/// "ip,protocol:port" is in none of <c>NotSrcNamedPortIpSetIds</c>.</item>
/// <item>ICMP: type (and code when set) must match; NotIcmp must not.</item>
/// </list>
/// The same for the destination side.
/// </summary>
public sealed record RuleModel
{
    public RuleAction Action { get; init; }

    /// <summary>4 or 6 when the rule is limited to one IP version.</summary>
    public int? IpVersion { get; init; }

    public int? Protocol { get; init; }

    public int? NotProtocol { get; init; }

    public int? IcmpType { get; init; }

    public int? IcmpCode { get; init; }

    public int? NotIcmpType { get; init; }

    public int? NotIcmpCode { get; init; }

    public IReadOnlyList<string> SrcNets { get; init; } = [];

    public IReadOnlyList<string> NotSrcNets { get; init; } = [];

    public IReadOnlyList<string> SrcIpSetIds { get; init; } = [];

    public IReadOnlyList<string> NotSrcIpSetIds { get; init; } = [];

    public IReadOnlyList<PortRange> SrcPorts { get; init; } = [];

    public IReadOnlyList<PortRange> NotSrcPorts { get; init; } = [];

    public IReadOnlyList<string> SrcNamedPortIpSetIds { get; init; } = [];

    public IReadOnlyList<string> NotSrcNamedPortIpSetIds { get; init; } = [];

    public IReadOnlyList<string> DstNets { get; init; } = [];

    public IReadOnlyList<string> NotDstNets { get; init; } = [];

    public IReadOnlyList<string> DstIpSetIds { get; init; } = [];

    public IReadOnlyList<string> NotDstIpSetIds { get; init; } = [];

    public IReadOnlyList<PortRange> DstPorts { get; init; } = [];

    public IReadOnlyList<PortRange> NotDstPorts { get; init; } = [];

    public IReadOnlyList<string> DstNamedPortIpSetIds { get; init; } = [];

    public IReadOnlyList<string> NotDstNamedPortIpSetIds { get; init; } = [];

    /// <summary>Position of the rule in its policy's ingress or egress list (0-based), for explain and counters.</summary>
    public int Index { get; init; }
}
