using System.Globalization;
using System.Text;

namespace Calico.Observability.Metrics;

/// <summary>Prometheus text format 0.0.4 for collected families (prometheus-net writes its own metrics).</summary>
internal static class ExpositionTextWriter
{
    public static void WriteFamily(StringBuilder text, CollectedMetricFamily family, IReadOnlyList<MetricSample> samples)
    {
        text.Append("# HELP ").Append(family.Name).Append(' ');
        AppendEscaped(text, family.Help, escapeQuote: false);
        text.Append('\n');
        text.Append("# TYPE ").Append(family.Name).Append(' ')
            .Append(family.Type == CollectedMetricType.Counter ? "counter" : "gauge").Append('\n');
        foreach (var sample in samples)
        {
            text.Append(family.Name);
            if (family.LabelNames.Count > 0)
            {
                text.Append('{');
                for (var i = 0; i < family.LabelNames.Count; i++)
                {
                    if (i > 0)
                    {
                        text.Append(',');
                    }
                    text.Append(family.LabelNames[i]).Append("=\"");
                    AppendEscaped(text, sample.LabelValues[i], escapeQuote: true);
                    text.Append('"');
                }
                text.Append('}');
            }
            text.Append(' ').Append(FormatValue(sample.Value)).Append('\n');
        }
    }

    public static string FormatValue(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    // HELP escapes backslash and newline; label values also escape the double quote.
    private static void AppendEscaped(StringBuilder text, string value, bool escapeQuote)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\':
                    text.Append(@"\\");
                    break;
                case '\n':
                    text.Append(@"\n");
                    break;
                case '"' when escapeQuote:
                    text.Append("\\\"");
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }
    }
}
