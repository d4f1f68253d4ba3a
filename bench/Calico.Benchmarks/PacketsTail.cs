using System.Globalization;

namespace Calico.Benchmarks;

/// <summary>
/// <c>dataplane-packets --dataplane bpf --only tail</c>: the CRR tail over time. Each subject (the bare anchor, the eBPF
/// dataplane with 1,000 policies), fresh, runs back-to-back CRR slices of 5 s and prints each slice's p50 and p99 beside
/// the connections opened so far. The eBPF conntrack map (<c>cali_ct</c>, an LRU hash of 512,000 entries, one entry a
/// connection on each host, no scanner in the bench) fills after about 512,000 connections: a p99 that rises only after
/// that point is the LRU's eviction (its free lists refilled by shrinking the LRU lists under a lock), not the programs'
/// per-packet work. Prints, asserts nothing.
/// </summary>
internal static class PacketsTail
{
    private static readonly TimeSpan Slice = TimeSpan.FromSeconds(5);

    /// <summary>Slices per subject: DATAPLANE_PACKETS_TAIL_SLICES, default 14 (70 s: past 512,000 connections at ~14,000 conn/s).</summary>
    private static int Slices => int.TryParse(Environment.GetEnvironmentVariable("DATAPLANE_PACKETS_TAIL_SLICES"), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : 14;

    public static async Task RunAsync(IReadOnlyList<PacketsSubject> subjects, CancellationToken cancellationToken)
    {
        foreach (PacketsSubject subject in subjects)
        {
            Console.WriteLine($"  {subject.Label}:");
            long opened = 0;
            for (int i = 0; i < Slices; i++)
            {
                PacketsCrrResult crr = await PacketsCrr.RunClientAsync(subject.Topology.Client.Path, PacketsTopology.ServerIp, PacketsRulesets.CrrPort, Slice, cancellationToken);
                opened += crr.Connections;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    slice {i + 1,2}: {opened,9:N0} connections so far  {crr.ConnectionsPerSecond,7:N0} conn/s  p50 {crr.P50Microseconds,6:F1} µs  p99 {crr.P99Microseconds,5:F0} µs"));
            }
        }
    }
}
