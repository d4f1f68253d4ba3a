namespace Calico.Felix.FlowLogs;

/// <summary>
/// One nfnetlink_log message: the packet's tuple, its IP length and the log prefix of the rule that logged it.
/// A packet crossing several logging rules (a Pass, then an Allow in a later tier) arrives once per rule, in
/// rule order; that order is the enforced trace.
/// </summary>
public sealed record LoggedPacket(FlowTuple Tuple, int Length, string Prefix);
