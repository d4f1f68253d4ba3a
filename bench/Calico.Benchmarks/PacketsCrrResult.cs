namespace Calico.Benchmarks;

/// <summary>One CRR run: connections completed per second and per-connection latency percentiles.</summary>
internal sealed record PacketsCrrResult(double ConnectionsPerSecond, double P50Microseconds, double P99Microseconds, int Connections);
