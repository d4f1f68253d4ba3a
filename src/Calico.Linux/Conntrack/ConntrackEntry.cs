namespace Calico.Linux.Conntrack;

/// <summary>
/// One conntrack entry (or event): both tuples, the counters each way (0 unless <c>nf_conntrack_acct</c> was 1 in the
/// namespace when the connection began), status, mark, seconds left before it times out, and the TCP state.
/// <see cref="Id"/> is the kernel's id of the entry (stable for its life; pairs a DESTROY event with its NEW).
/// </summary>
public sealed record ConntrackEntry(
    ConntrackEventKind Kind,
    ConntrackTuple Original,
    ConntrackTuple Reply)
{
    public uint Id { get; init; }

    public ulong OriginalPackets { get; init; }

    public ulong OriginalBytes { get; init; }

    public ulong ReplyPackets { get; init; }

    public ulong ReplyBytes { get; init; }

    /// <summary>Whether the kernel sent counters (accounting on).</summary>
    public bool HasCounters { get; init; }

    public ConntrackStatus Status { get; init; }

    public uint Mark { get; init; }

    /// <summary>Seconds until the entry expires (absent on DESTROY events: 0).</summary>
    public uint TimeoutSeconds { get; init; }

    /// <summary>The TCP state for TCP entries, else null.</summary>
    public ConntrackTcpState? TcpState { get; init; }

    /// <summary>Start and stop, wall-clock nanoseconds since the Unix epoch (CTA_TIMESTAMP: only with nf_conntrack_timestamp=1), else 0.</summary>
    public ulong StartNanoseconds { get; init; }

    public ulong StopNanoseconds { get; init; }

    public bool IsAssured => (Status & ConntrackStatus.Assured) != 0;
}
