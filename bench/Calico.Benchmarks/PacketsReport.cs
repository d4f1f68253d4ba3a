using System.Globalization;

namespace Calico.Benchmarks;

/// <summary>Prints the per-ruleset figures and the ratios to the no-table anchor measured in the same run.</summary>
internal static class PacketsReport
{
    public static void Print(IReadOnlyList<PacketsRulesetResult> results)
    {
        PacketsRulesetResult anchor = results[0];
        double anchorGbits = Median(anchor.Gbits);
        double anchorCrr = Median(anchor.Crr.Select(c => c.ConnectionsPerSecond));

        Console.WriteLine();
        Line("ruleset", "Gbit/s min / med / max", "÷ (a)", "aim", "conn/s min / med / max", "÷ (a)", "aim", "p50 µs", "p99 µs");
        foreach (PacketsRulesetResult r in results)
        {
            if (r.Gbits.Count == 0)
            {
                Line(r.Ruleset.Label, "not measured (flow dropped)", "", "", "", "", "", "", "");
                continue;
            }

            List<double> rates = r.Crr.Select(c => c.ConnectionsPerSecond).ToList();
            bool isAnchor = ReferenceEquals(r, anchor);
            Line(
                r.Ruleset.Label,
                Spread(r.Gbits, "F2"),
                isAnchor ? "1" : Ratio(Median(r.Gbits) / anchorGbits),
                ThroughputAim(r.Ruleset.Policies, isAnchor),
                Spread(rates, "F0"),
                isAnchor ? "1" : Ratio(Median(rates) / anchorCrr),
                CrrAim(r.Ruleset.Policies, isAnchor),
                Median(r.Crr.Select(c => c.P50Microseconds)).ToString("F1", CultureInfo.InvariantCulture),
                Median(r.Crr.Select(c => c.P99Microseconds)).ToString("F0", CultureInfo.InvariantCulture));
        }

        Console.WriteLine();
        Console.WriteLine("  programming and path check (packets counted by the final allowing policy's rule vs new flows opened):");
        foreach (PacketsRulesetResult r in results)
        {
            if (r.Ruleset.NftText is null)
            {
                continue;
            }

            string check = r.FinalPolicyPackets is { } packets
                ? Invariant($"policy path (final policy's chain, or the endpoint chain when merged) counted {packets} packets for {r.NewFlows} new flows{(packets > 0 ? "" : "  <- NOT TRAVERSED")}")
                : "no policy";
            Console.WriteLine(Invariant(
                $"    {r.Ruleset.Label,-36} calc+render {r.Ruleset.BuildTime.TotalMilliseconds,7:F0} ms  nft -f {r.LoadTime.TotalMilliseconds,7:F0} ms  nft -j list {r.ListTime.TotalMilliseconds,6:F0} ms  {check}"));
        }
    }

    // The issue states the throughput aim at 1,000 policies and the connection-rate aims at 1,000 and 10,000.
    private static string ThroughputAim(int policies, bool isAnchor) => isAnchor ? "" : policies == 1_000 ? ">= 0.95" : "-";

    private static string CrrAim(int policies, bool isAnchor) => isAnchor ? "" : policies switch
    {
        1_000 => ">= 0.90",
        10_000 => ">= 0.85",
        _ => "-",
    };

    private static void Line(string ruleset, string gbits, string gbitsRatio, string gbitsAim, string crr, string crrRatio, string crrAim, string p50, string p99) =>
        Console.WriteLine($"  {ruleset,-36} {gbits,-24} {gbitsRatio,6} {gbitsAim,8}   {crr,-24} {crrRatio,6} {crrAim,8}  {p50,7} {p99,7}");

    private static string Spread(List<double> values, string format)
    {
        List<double> sorted = [.. values.Order()];
        return Invariant($"{sorted[0].ToString(format, CultureInfo.InvariantCulture)} / {Median(sorted).ToString(format, CultureInfo.InvariantCulture)} / {sorted[^1].ToString(format, CultureInfo.InvariantCulture)}");
    }

    private static string Ratio(double value) => value.ToString("F2", CultureInfo.InvariantCulture);

    private static double Median(IEnumerable<double> values)
    {
        List<double> sorted = [.. values.Order()];
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
