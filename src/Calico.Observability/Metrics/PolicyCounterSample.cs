namespace Calico.Observability.Metrics;

/// <summary>One policy's packet and byte counts in one direction, as read from the dataplane at scrape time.</summary>
public readonly record struct PolicyCounterSample(string Tier, string Policy, string Direction, ulong Packets, ulong Bytes);
