namespace Calico.Lab.Conformance;

/// <summary>
/// What a real probe saw. Calico's Deny drops silently, so a denied flow is the one nothing answers; a pod that
/// does not serve the port answers itself (TCP reset, ICMP port unreachable), and a router with no route answers
/// with an ICMP host or network unreachable. Only <see cref="Allowed"/> counts as reaching (see
/// <see cref="ProbeMatrix.Allowed"/>): the other three are "not allowed" to everything that judges reachability.
/// </summary>
public enum ProbeOutcome
{
    /// <summary>TCP connected, or the UDP echo came back.</summary>
    Allowed,

    /// <summary>No answer within the timeout: dropped on the way (policy denies by dropping).</summary>
    Denied,

    /// <summary>The destination answered "nothing here": TCP RST (connection refused) or ICMP port unreachable.</summary>
    NotListening,

    /// <summary>An ICMP host or network unreachable came back: no route to the destination somewhere on the path.</summary>
    Unreachable,
}
