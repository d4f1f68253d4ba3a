using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Calico.Cni;

/// <summary>
/// Where the plugin's log lines go: stderr (the runtime keeps it) and the log file (appended with one write
/// per line, so concurrent plugin processes interleave whole lines). A log file that cannot be opened is
/// reported once on stderr and never fails the operation.
/// </summary>
internal sealed class CniLogSink : ILoggerProvider
{
    private readonly TextWriter _stderr;
    private readonly FileStream? _file;
    private readonly Lock _gate = new();
    private readonly int _pid = Environment.ProcessId;

    public CniLogSink(TextWriter stderr, LogLevel level, string? filePath)
    {
        _stderr = stderr;
        Level = level;
        if (filePath is not null && level != LogLevel.None)
        {
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(filePath)!);
                _file = new FileStream(filePath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _stderr.WriteLine($"calico: cannot open log file {filePath}: {e.Message}; logging to stderr only");
            }
        }
    }

    public LogLevel Level { get; }

    public ILogger CreateLogger(string categoryName) => new SinkLogger(this, categoryName);

    public void Dispose() => _file?.Dispose();

    private void Write(LogLevel level, string category, string message, Exception? exception)
    {
        var line = new StringBuilder(160)
            .Append(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture))
            .Append(" [").Append(Name(level)).Append("][").Append(_pid.ToString(CultureInfo.InvariantCulture)).Append("] ")
            .Append(category).Append(": ").Append(message);
        if (exception is not null)
        {
            line.Append(": ").Append(exception.GetType().Name).Append(": ").Append(exception.Message);
        }

        line.Append('\n');
        var text = line.ToString();
        lock (_gate)
        {
            _stderr.Write(text);
            if (_file is not null)
            {
                var bytes = Encoding.UTF8.GetBytes(text);
                _file.Write(bytes);
                _file.Flush();
            }
        }
    }

    private static string Name(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRACE",
        LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARNING",
        LogLevel.Error => "ERROR",
        _ => "FATAL",
    };

    private sealed class SinkLogger(CniLogSink sink, string category) : ILogger
    {
        private readonly string _category = category.StartsWith("Calico.", StringComparison.Ordinal) ? category[7..] : category;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= sink.Level;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                sink.Write(logLevel, _category, formatter(state, exception), exception);
            }
        }
    }
}
