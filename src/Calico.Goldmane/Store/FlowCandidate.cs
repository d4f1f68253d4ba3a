namespace Calico.Goldmane.Store;

/// <summary>One List result before aggregation: the flow, the range its windows are summed over, and its first window's start in it.</summary>
internal readonly record struct FlowCandidate(DiachronicFlow Flow, long From, long To, long StartTime);
