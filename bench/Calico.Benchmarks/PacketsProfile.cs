using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Calico.Benchmarks;

/// <summary>
/// <c>dataplane-packets --dataplane bpf --only profile</c>: where a CRR connection's time goes. Each subject (the bare
/// anchor, the eBPF dataplane with 1,000 and 10,000 policies) runs the CRR loop for a few seconds while the kernel
/// counts each BPF program's runs and run time (BPF_ENABLE_STATS, held only for the run: no sysctl is changed); the
/// programs' runs and µs per connection are printed beside the connection's latency, so what the programs cost per
/// connection can be set against what the subject gains or loses. With <c>DATAPLANE_PACKETS_PERF=&lt;dir&gt;</c> a
/// system-wide <c>perf record -g</c> of each run is written there (one file per subject) for <c>perf report</c>.
/// </summary>
internal static class PacketsProfile
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(5);

    /// <summary>libbpf's bpf_enable_stats(BPF_STATS_RUN_TIME): stats are on while the returned fd is open.</summary>
    [DllImport("libbpf.so.1", EntryPoint = "bpf_enable_stats")]
    private static extern int EnableStats(int type);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);

    public static async Task RunAsync(IReadOnlyList<PacketsSubject> subjects, CancellationToken cancellationToken)
    {
        string? perfDir = Environment.GetEnvironmentVariable("DATAPLANE_PACKETS_PERF");
        foreach (PacketsSubject subject in subjects)
        {
            // Warm: conntrack, MACs and the JIT of the client loop.
            await PacketsCrr.RunClientAsync(subject.Topology.Client.Path, PacketsTopology.ServerIp, PacketsRulesets.CrrPort, TimeSpan.FromSeconds(1), cancellationToken);
            int statsFd = EnableStats(0);
            if (statsFd < 0)
            {
                throw new InvalidOperationException($"bpf_enable_stats failed: {statsFd}");
            }

            Process? perf = null;
            try
            {
                Dictionary<string, (long Runs, long Ns)> before = await ProgramStatsAsync(cancellationToken);
                if (perfDir is not null)
                {
                    Directory.CreateDirectory(perfDir);
                    string file = Path.Combine(perfDir, "perf-" + new string(subject.Label.Where(char.IsLetterOrDigit).ToArray()) + ".data");
                    perf = Process.Start(new ProcessStartInfo("perf", ["record", "-a", "-g", "-q", "-o", file]) { RedirectStandardError = true })!;
                    await Task.Delay(300, cancellationToken);
                }

                PacketsCrrResult crr = await PacketsCrr.RunClientAsync(subject.Topology.Client.Path, PacketsTopology.ServerIp, PacketsRulesets.CrrPort, Duration, cancellationToken);
                if (perf is not null)
                {
                    Process.Start("kill", ["-INT", perf.Id.ToString()])!.WaitForExit();
                    await perf.WaitForExitAsync(cancellationToken);
                }

                Dictionary<string, (long Runs, long Ns)> after = await ProgramStatsAsync(cancellationToken);
                Console.WriteLine($"  {subject.Label}: {crr.ConnectionsPerSecond:N0} conn/s, CRR p50 {crr.P50Microseconds:F1} µs, p99 {crr.P99Microseconds:F0} µs, {crr.Connections:N0} connections");
                double totalUs = 0;
                foreach ((string key, (long runs, long ns)) in after.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    (long runs0, long ns0) = before.GetValueOrDefault(key);
                    long dRuns = runs - runs0, dNs = ns - ns0;
                    if (dRuns <= 0)
                    {
                        continue;
                    }

                    double usPerConnection = dNs / 1000.0 / crr.Connections;
                    totalUs += usPerConnection;
                    Console.WriteLine($"      {key,-28} {(double)dRuns / crr.Connections,6:F1} runs/conn  {(double)dNs / dRuns,7:F0} ns/run  {usPerConnection,6:F2} µs/conn");
                }

                if (totalUs > 0)
                {
                    Console.WriteLine($"      programs in all: {totalUs:F2} µs per connection ({totalUs / crr.P50Microseconds:P0} of the p50)");
                }
            }
            finally
            {
                _ = Close(statsFd); // stats stop with the last fd; nothing to do if close fails
                if (perf is { HasExited: false })
                {
                    perf.Kill();
                }
            }
        }
    }

    /// <summary>Every loaded program named calico_*: "name#id" → (run count, run time ns), from <c>bpftool -j prog show</c>.</summary>
    private static async Task<Dictionary<string, (long Runs, long Ns)>> ProgramStatsAsync(CancellationToken cancellationToken)
    {
        using var bpftool = Process.Start(new ProcessStartInfo("bpftool", ["-j", "prog", "show"]) { RedirectStandardOutput = true })!;
        string json = await bpftool.StandardOutput.ReadToEndAsync(cancellationToken);
        await bpftool.WaitForExitAsync(cancellationToken);
        var stats = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        using JsonDocument document = JsonDocument.Parse(json);
        foreach (JsonElement program in document.RootElement.EnumerateArray())
        {
            if (!program.TryGetProperty("name", out JsonElement name) || name.GetString() is not { } n || !n.StartsWith("calico_", StringComparison.Ordinal))
            {
                continue;
            }

            long runs = program.TryGetProperty("run_cnt", out JsonElement r) ? r.GetInt64() : 0;
            long ns = program.TryGetProperty("run_time_ns", out JsonElement t) ? t.GetInt64() : 0;
            stats[$"{n}#{program.GetProperty("id").GetInt64()}"] = (runs, ns);
        }

        return stats;
    }
}
