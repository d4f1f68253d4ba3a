using System.Globalization;
using Calico.Lab.Cluster;

namespace Calico.Benchmarks;

/// <summary>Prometheus text scraped from inside a lab namespace (curl run there), summed per family.</summary>
internal static class ScaleMetrics
{
    public static async Task<Dictionary<string, double>> ScrapeAsync(string netns, string url, CancellationToken cancellationToken)
    {
        var result = await Command.RunAsync("ip", ["netns", "exec", netns, "curl", "-s", "-m", "5", url], cancellationToken: cancellationToken);
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string line in result.Output.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            int space = line.LastIndexOf(' ');
            if (space <= 0 || !double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                continue;
            }

            string series = line[..space];
            int brace = series.IndexOf('{', StringComparison.Ordinal);
            string family = brace < 0 ? series : series[..brace];
            sums[family] = sums.GetValueOrDefault(family) + value;
            sums[series] = value;
        }

        return sums;
    }

    public static double Get(Dictionary<string, double> metrics, string name) => metrics.TryGetValue(name, out double v) ? v : double.NaN;
}
