using System.Globalization;

namespace Calico.Benchmarks;

/// <summary>
/// Every figure a bench measures against an issue's aim, collected as the bench runs and printed again as one table
/// when the process ends (<see cref="PrintSummary"/>), so one run shows every aim beside its figure and whether it
/// is met. Benches still print their own detail as they go.
/// </summary>
internal static class AimReport
{
    private static readonly List<(string Figure, string Measured, string Aim, bool? Met)> Rows = [];

    /// <param name="met">True/false when the figure can be judged against the aim; null when it cannot (e.g. not run).</param>
    public static void Record(string figure, string measured, string aim, bool? met)
    {
        lock (Rows)
        {
            Rows.Add((figure, measured, aim, met));
        }
    }

    /// <summary>Records a ratio (a <see cref="Spread"/> of pair-by-pair ratios) judged on its median.</summary>
    public static void RecordRatioAtLeast(string figure, Spread ratio, double aim) =>
        Record(figure, ratio.Format("×"), string.Create(CultureInfo.InvariantCulture, $"≥ {aim:F2}×"), double.IsNaN(ratio.Median) ? null : ratio.Median >= aim);

    public static void RecordAtMost(string figure, double value, string unit, double aim) =>
        Record(
            figure,
            string.Create(CultureInfo.InvariantCulture, $"{value:F2} {unit}"),
            string.Create(CultureInfo.InvariantCulture, $"≤ {aim:G} {unit}"),
            double.IsNaN(value) ? null : value <= aim);

    public static void PrintSummary()
    {
        lock (Rows)
        {
            if (Rows.Count == 0)
            {
                return;
            }

            Console.WriteLine();
            Console.WriteLine("aims (every figure measured against an issue's aim in this run):");
            int width = Math.Max(40, Rows.Max(r => r.Figure.Length));
            foreach (var (figure, measured, aim, met) in Rows)
            {
                string verdict = met switch { true => "met", false => "NOT met", null => "n/a" };
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {figure.PadRight(width)}  {measured,-36} aim {aim,-12} {verdict}"));
            }
        }
    }
}
