namespace Calico.Felix.FlowLogs;

/// <summary>
/// A conntrack entry's counters (from a dump or a DESTROY event): cumulative since the connection began, in the
/// original (client to server) and reply directions. <see cref="Reply"/> is the reply tuple (its source is the
/// post-DNAT destination).
/// </summary>
public sealed record ConntrackSample(
    FlowTuple Original,
    FlowTuple Reply,
    long PacketsOriginal,
    long BytesOriginal,
    long PacketsReply,
    long BytesReply,
    bool Destroyed);
