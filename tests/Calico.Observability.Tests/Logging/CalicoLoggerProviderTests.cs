using System.Text;
using Calico.Observability.Logging;
using Microsoft.Extensions.Logging;

namespace Calico.Observability.Tests.Logging;

[Trait("Tier", "Unit")]
public sealed partial class CalicoLoggerProviderTests
{
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, 123, TimeSpan.Zero));
    private readonly MemoryStream _output = new();

    private string Written => Encoding.UTF8.GetString(_output.ToArray());

    private ILogger Logger(LogSeverity screen, string category = "felix/int_dataplane") =>
        new CalicoLoggerProvider(screen, _output, _clock, 4242).CreateLogger(category);

    [Fact]
    public void Log_SourceGenerated_UpstreamLineShape()
    {
        var logger = Logger(LogSeverity.Info);

        LogApplied(logger, 17);

        Assert.Equal("2026-11-25 12:00:00.123 [INFO][4242] felix/int_dataplane : Applied dataplane update in 17 ms\n", Written);
    }

    [Fact]
    public void Log_FieldsNotInMessage_AppendedAsKeyValue()
    {
        Logger(LogSeverity.Debug).Log(
            LogLevel.Warning,
            default,
            new List<KeyValuePair<string, object?>>
            {
                new("table", "filter"),
                new("ipVersion", 4),
                new("detail", "two words"),
                new("{OriginalFormat}", "Resync {ipVersion}"),
            },
            null,
            (_, _) => "Resync 4");

        Assert.Equal("2026-11-25 12:00:00.123 [WARNING][4242] felix/int_dataplane : Resync 4 table=filter detail=\"two words\"\n", Written);
    }

    [Fact]
    public void Log_Exception_OneLineWithQuotedError()
    {
        var logger = Logger(LogSeverity.Info);
        var failure = new InvalidOperationException("nft said \"no\"\nline two");

        LogFailed(logger, failure);

        var written = Written;
        Assert.Single(written.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("2026-11-25 12:00:00.123 [ERROR][4242] felix/int_dataplane : Apply failed error=\"System.InvalidOperationException: nft said \\\"no\\\"\\nline two\"", written, StringComparison.Ordinal);
    }

    [Fact]
    public void Log_MultiLineMessage_StaysOneLine()
    {
        Logger(LogSeverity.Info).Log(LogLevel.Information, default, "a\nb", null, (state, _) => state);

        Assert.Equal("2026-11-25 12:00:00.123 [INFO][4242] felix/int_dataplane : a\\nb\n", Written);
    }

    [Theory]
    [InlineData(LogSeverity.Debug, LogLevel.Trace, false)]
    [InlineData(LogSeverity.Debug, LogLevel.Debug, true)]
    [InlineData(LogSeverity.Info, LogLevel.Debug, false)]
    [InlineData(LogSeverity.Info, LogLevel.Information, true)]
    [InlineData(LogSeverity.Warning, LogLevel.Information, false)]
    [InlineData(LogSeverity.Warning, LogLevel.Warning, true)]
    [InlineData(LogSeverity.Error, LogLevel.Warning, false)]
    [InlineData(LogSeverity.Error, LogLevel.Error, true)]
    [InlineData(LogSeverity.Fatal, LogLevel.Error, false)]
    [InlineData(LogSeverity.Fatal, LogLevel.Critical, true)]
    [InlineData(LogSeverity.Debug, LogLevel.None, false)]
    public void Log_SeverityScreen_FiltersBelowScreen(LogSeverity screen, LogLevel level, bool written)
    {
        var logger = Logger(screen);

        logger.Log(level, default, "message", null, (state, _) => state);

        Assert.Equal(written, logger.IsEnabled(level));
        Assert.Equal(written, Written.Length > 0);
    }

    [Theory]
    [InlineData(LogLevel.Debug, "DEBUG")]
    [InlineData(LogLevel.Information, "INFO")]
    [InlineData(LogLevel.Warning, "WARNING")]
    [InlineData(LogLevel.Error, "ERROR")]
    [InlineData(LogLevel.Critical, "FATAL")]
    public void Log_Level_UpstreamWord(LogLevel level, string word)
    {
        Logger(LogSeverity.Debug).Log(level, default, "m", null, (state, _) => state);

        Assert.Contains($" [{word}][4242] ", Written, StringComparison.Ordinal);
    }

    [Fact]
    public void Log_ManyThreads_EveryLineWhole()
    {
        var logger = Logger(LogSeverity.Info, "felix");
        const int PerThread = 200;

        Parallel.For(0, 8, thread =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                LogApplied(logger, (thread * 1000) + i);
            }
        });

        var lines = Written.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(8 * PerThread, lines.Length);
        Assert.All(lines, line => Assert.Matches(@"^2026-11-25 12:00:00\.123 \[INFO\]\[4242\] felix : Applied dataplane update in \d+ ms$", line));
    }

    [Theory]
    [InlineData("Debug", LogSeverity.Debug)]
    [InlineData("info", LogSeverity.Info)]
    [InlineData("WARNING", LogSeverity.Warning)]
    [InlineData("warn", LogSeverity.Warning)]
    [InlineData(" Error ", LogSeverity.Error)]
    [InlineData("fatal", LogSeverity.Fatal)]
    public void Parse_FelixSpellings(string value, LogSeverity expected) =>
        Assert.Equal(expected, LogSeverities.Parse(value));

    [Theory]
    [InlineData("")]
    [InlineData("verbose")]
    [InlineData("panic")]
    public void Parse_Unknown_ThrowsNamingSettingAndValue(string value)
    {
        var error = Assert.Throws<FormatException>(() => LogSeverities.Parse(value));

        Assert.Contains("LogSeverityScreen", error.Message, StringComparison.Ordinal);
        Assert.Contains($"\"{value}\"", error.Message, StringComparison.Ordinal);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Applied dataplane update in {ElapsedMs} ms")]
    private static partial void LogApplied(ILogger logger, int elapsedMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Apply failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
