using Microsoft.Extensions.Logging;

namespace Calico.Observability.Logging;

/// <summary>Parsing Felix's severity strings and mapping them onto Microsoft.Extensions.Logging levels.</summary>
public static class LogSeverities
{
    /// <summary>Case-insensitive, as Felix's config parser; "warn" is accepted like logrus does.</summary>
    /// <exception cref="FormatException">Names the setting and the bad value.</exception>
    public static LogSeverity Parse(string value, string settingName = "LogSeverityScreen")
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Trim().ToUpperInvariant() switch
        {
            "DEBUG" => LogSeverity.Debug,
            "INFO" => LogSeverity.Info,
            "WARNING" or "WARN" => LogSeverity.Warning,
            "ERROR" => LogSeverity.Error,
            "FATAL" => LogSeverity.Fatal,
            _ => throw new FormatException(
                $"{settingName}: \"{value}\" is not a log severity (expected Debug, Info, Warning, Error or Fatal)"),
        };
    }

    /// <summary>The lowest <see cref="LogLevel"/> a screen at this severity lets through.</summary>
    public static LogLevel ToMinimumLevel(this LogSeverity severity) => severity switch
    {
        LogSeverity.Debug => LogLevel.Debug,
        LogSeverity.Info => LogLevel.Information,
        LogSeverity.Warning => LogLevel.Warning,
        LogSeverity.Error => LogLevel.Error,
        LogSeverity.Fatal => LogLevel.Critical,
        _ => throw new ArgumentOutOfRangeException(nameof(severity), severity, "unknown log severity"),
    };

    /// <summary>The level word in a log line; Trace shows as DEBUG since Felix has nothing below it.</summary>
    internal static string LevelWord(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARNING",
        LogLevel.Error => "ERROR",
        _ => "FATAL",
    };
}
