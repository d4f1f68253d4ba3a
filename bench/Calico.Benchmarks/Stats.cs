using System.Diagnostics;
using System.Globalization;

namespace Calico.Benchmarks;

/// <summary>Percentiles and rates, printed in one format so runs can be compared line by line.</summary>
internal static class Stats
{
    public static double Percentile(List<double> samples, double p)
    {
        if (samples.Count == 0)
        {
            return double.NaN;
        }

        samples.Sort();
        var index = (int)Math.Ceiling(p / 100 * samples.Count) - 1;
        return samples[Math.Clamp(index, 0, samples.Count - 1)];
    }

    public static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    public static void Row(string what, string figure) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {what,-58} {figure}"));

    public static string F(double v, string unit) => string.Create(CultureInfo.InvariantCulture, $"{v,10:F2} {unit}");
}
