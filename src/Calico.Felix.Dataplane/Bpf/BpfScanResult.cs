namespace Calico.Felix.Dataplane.Bpf;

/// <summary>What one scan of a map did: entries looked at, entries deleted (conntrack idle past its timeout, counters of deleted rules).</summary>
public readonly record struct BpfScanResult(int Scanned, int Deleted);
