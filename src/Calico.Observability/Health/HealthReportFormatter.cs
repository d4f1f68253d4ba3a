using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Calico.Observability.Health;

/// <summary>Renders a <see cref="HealthSummary"/> as an aligned text table or as JSON.</summary>
internal static class HealthReportFormatter
{
    private static readonly string[] Header = ["REPORTER", "LIVE", "READY", "REASON"];

    public static string Table(HealthSummary summary)
    {
        var rows = new List<string[]> { Header };
        foreach (var reporter in summary.Reporters)
        {
            rows.Add([
                reporter.Name,
                Flag(reporter.ReportsLive, reporter.Live),
                Flag(reporter.ReportsReady, reporter.Ready),
                reporter.Reason.Length == 0 ? "-" : reporter.Reason,
            ]);
        }

        var widths = new int[Header.Length];
        foreach (var row in rows)
        {
            for (var column = 0; column < row.Length; column++)
            {
                widths[column] = Math.Max(widths[column], row[column].Length);
            }
        }

        var text = new StringBuilder();
        foreach (var row in rows)
        {
            for (var column = 0; column < row.Length - 1; column++)
            {
                text.Append(row[column].PadRight(widths[column] + 2));
            }
            text.Append(row[^1]).Append('\n');
        }
        return text.ToString();
    }

    public static byte[] Json(HealthSummary summary)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteBoolean("live", summary.Live);
            json.WriteBoolean("ready", summary.Ready);
            json.WriteStartArray("reporters");
            foreach (var reporter in summary.Reporters)
            {
                json.WriteStartObject();
                json.WriteString("name", reporter.Name);
                WriteFlag(json, "live", reporter.ReportsLive, reporter.Live);
                WriteFlag(json, "ready", reporter.ReportsReady, reporter.Ready);
                json.WriteNumber("timeoutSeconds", reporter.Timeout.TotalSeconds);
                json.WriteString("reason", reporter.Reason);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static string Flag(bool reports, bool value) => !reports ? "-" : value ? "yes" : "no";

    // null says "this reporter does not report that kind", which false would misstate.
    private static void WriteFlag(Utf8JsonWriter json, string name, bool reports, bool value)
    {
        if (reports)
        {
            json.WriteBoolean(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
