using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Calico.Benchmarks;

/// <summary>
/// host2's calico-node's own split of one BIRD reconfiguration, read from its log line
/// "BIRD reconfigured: wait W, render R, write F, check C, configure B ms (received at monotonic N ns)": when the
/// routing loop received the update (CLOCK_MONOTONIC, as <see cref="Stopwatch.GetTimestamp"/> in this process) and the
/// time each step took after it.
/// </summary>
internal sealed partial record RoutingNewBlockSteps(long ReceivedNs, double Wait, double Render, double Write, double Check, double Configure)
{
    /// <summary>
    /// From a calico-node that logs the apply's cause (since issue 17 part 4): the ms the causing update spent queued
    /// behind a running apply, how long before it the first update of the apply arrived (e.g. the pending affinity), and
    /// how many applies since the previous reload changed nothing BIRD runs. NaN / -1 from an older calico-node, whose
    /// "received" was the first update of any kind since the previous apply (its wait included the claim's own writes).
    /// </summary>
    public double Queued { get; init; } = double.NaN;

    public double FirstUpdateBefore { get; init; } = double.NaN;

    public int UnchangedApplies { get; init; } = -1;

    public string? Cause { get; init; }

    /// <summary>The monotonic time BIRD had run <c>configure</c> (the reply read), in ns.</summary>
    public long ConfiguredNs => ReceivedNs + (long)((Wait + Render + Write + Check + Configure) * 1_000_000);

    public static long Nanoseconds(long timestamp) => (long)(timestamp * (1_000_000_000.0 / Stopwatch.Frequency));

    /// <summary>
    /// The first reconfiguration of host2's BIRD for updates received after <paramref name="afterTimestamp"/>
    /// (<see cref="Stopwatch.GetTimestamp"/>), waiting up to 2 s for calico-node to write it; null when none.
    /// </summary>
    public static async Task<RoutingNewBlockSteps?> FindAsync(string logPath, long afterTimestamp, CancellationToken cancellationToken)
    {
        long after = Nanoseconds(afterTimestamp);
        long deadline = Stopwatch.GetTimestamp() + (2 * Stopwatch.Frequency);
        while (true)
        {
            string text;
            using (var stream = new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            using (var reader = new StreamReader(stream))
            {
                text = await reader.ReadToEndAsync(cancellationToken);
            }

            foreach (Match m in Line().Matches(text))
            {
                var steps = new RoutingNewBlockSteps(
                    long.Parse(m.Groups[6].Value, CultureInfo.InvariantCulture),
                    D(m, 1), D(m, 2), D(m, 3), D(m, 4), D(m, 5))
                {
                    Cause = m.Groups[7].Success ? m.Groups[7].Value : null,
                    Queued = m.Groups[8].Success ? D(m, 8) : double.NaN,
                    FirstUpdateBefore = m.Groups[9].Success ? D(m, 9) : double.NaN,
                    UnchangedApplies = m.Groups[10].Success ? int.Parse(m.Groups[10].Value, CultureInfo.InvariantCulture) : -1,
                };
                if (steps.ReceivedNs >= after)
                {
                    return steps;
                }
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                return null;
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    private static double D(Match m, int group) => double.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"BIRD reconfigured: wait ([\d.]+), render ([\d.]+), write ([\d.]+), check ([\d.]+), configure ([\d.]+) ms \(received at monotonic (\d+) ns\)(?:; cause (\S+), queued ([\d.]+) ms, first update ([\d.]+) ms before it; (\d+) applies unchanged)?")]
    private static partial Regex Line();
}
