using System.Buffers;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Calico.Observability.Logging;

/// <summary>
/// Upstream's line shape: "2026-11-25 12:00:00.123 [INFO][42] category : message key=value". Structured
/// values already in the message text are not repeated; an exception becomes one quoted error= field,
/// so every entry stays one line for log collectors.
/// </summary>
internal static class LogLineFormatter
{
    private const string OriginalFormatKey = "{OriginalFormat}";
    private static readonly SearchValues<char> NeedsQuoting = SearchValues.Create(" =\"\\\n\r\t");

    public static string Format<TState>(
        DateTimeOffset timestamp, LogLevel level, int processId, string category, TState state, string message, Exception? exception)
    {
        var line = new StringBuilder(128)
            .Append(timestamp.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture))
            .Append(" [").Append(LogSeverities.LevelWord(level)).Append("][")
            .Append(processId.ToString(CultureInfo.InvariantCulture)).Append("] ")
            .Append(category).Append(" : ");
        AppendEscapedNewlines(line, message);

        if (state is IReadOnlyList<KeyValuePair<string, object?>> fields)
        {
            var template = FindTemplate(fields);
            foreach (var (key, value) in fields)
            {
                if (key != OriginalFormatKey && !InTemplate(template, key))
                {
                    AppendField(line, key, Convert.ToString(value, CultureInfo.InvariantCulture) ?? "<nil>");
                }
            }
        }
        if (exception is not null)
        {
            AppendField(line, "error", exception.ToString());
        }
        return line.Append('\n').ToString();
    }

    private static string FindTemplate(IReadOnlyList<KeyValuePair<string, object?>> fields)
    {
        foreach (var (key, value) in fields)
        {
            if (key == OriginalFormatKey)
            {
                return value as string ?? string.Empty;
            }
        }
        return string.Empty;
    }

    // A placeholder is "{Key}", "{Key:format}" or "{Key,alignment}".
    private static bool InTemplate(string template, string key)
    {
        var at = 0;
        while ((at = template.IndexOf("{" + key, at, StringComparison.Ordinal)) >= 0)
        {
            var after = at + key.Length + 1;
            if (after < template.Length && template[after] is '}' or ':' or ',')
            {
                return true;
            }
            at = after;
        }
        return false;
    }

    // logrus quotes a value only when it needs it; a quoted value escapes quotes, backslashes and newlines.
    private static void AppendField(StringBuilder line, string key, string value)
    {
        line.Append(' ').Append(key).Append('=');
        if (value.Length > 0 && !value.AsSpan().ContainsAny(NeedsQuoting))
        {
            line.Append(value);
            return;
        }
        line.Append('"');
        foreach (var c in value)
        {
            line.Append(c switch
            {
                '"' => "\\\"",
                '\\' => @"\\",
                '\n' => @"\n",
                '\r' => @"\r",
                '\t' => @"\t",
                _ => c.ToString(),
            });
        }
        line.Append('"');
    }

    private static void AppendEscapedNewlines(StringBuilder line, string message)
    {
        foreach (var c in message)
        {
            line.Append(c switch
            {
                '\n' => @"\n",
                '\r' => @"\r",
                _ => c.ToString(),
            });
        }
    }
}
