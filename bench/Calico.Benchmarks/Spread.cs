using System.Globalization;

namespace Calico.Benchmarks;

/// <summary>Median with min and max of a small sample, as the benches print it: <c>12.30 (11.90–12.80)</c>.</summary>
internal readonly record struct Spread(double Median, double Min, double Max, int Count)
{
    public static Spread Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return new Spread(double.NaN, double.NaN, double.NaN, 0);
        }

        var sorted = values.Order().ToList();
        double median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        return new Spread(median, sorted[0], sorted[^1], sorted.Count);
    }

    /// <param name="unit">Appended to the median (e.g. "×").</param>
    /// <param name="number">The numbers' format: "F2" by default, "F0" for rates in the thousands.</param>
    public string Format(string unit = "", string number = "F2") =>
        string.Format(CultureInfo.InvariantCulture, "{0}{1} ({2}–{3}, n={4})", Median.ToString(number, CultureInfo.InvariantCulture), unit, Min.ToString(number, CultureInfo.InvariantCulture), Max.ToString(number, CultureInfo.InvariantCulture), Count);
}
