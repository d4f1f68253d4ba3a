using System.Text;
using Microsoft.Extensions.Logging;

namespace Calico.Observability.Logging;

/// <summary>
/// Writes upstream-shaped log lines to stderr (or a given stream), screened by Felix's LogSeverityScreen.
/// Each line is encoded whole and written with one call under a lock, so lines from threads never interleave.
/// </summary>
public sealed class CalicoLoggerProvider : ILoggerProvider
{
    private readonly Stream _output;
    private readonly bool _ownsOutput;
    private readonly TimeProvider _timeProvider;
    private readonly int _processId;
    private readonly Lock _writeLock = new();

    public CalicoLoggerProvider(LogSeverity screen)
        : this(screen, Console.OpenStandardError(), TimeProvider.System, Environment.ProcessId, ownsOutput: true)
    {
    }

    public CalicoLoggerProvider(LogSeverity screen, Stream output, TimeProvider timeProvider, int processId)
        : this(screen, output, timeProvider, processId, ownsOutput: false)
    {
    }

    private CalicoLoggerProvider(LogSeverity screen, Stream output, TimeProvider timeProvider, int processId, bool ownsOutput)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(timeProvider);
        MinimumLevel = screen.ToMinimumLevel();
        _output = output;
        _ownsOutput = ownsOutput;
        _timeProvider = timeProvider;
        _processId = processId;
    }

    /// <summary>Settable: calico-node learns its LogSeverityScreen from the datastore after logging has started.</summary>
    public LogLevel MinimumLevel { get; set; }

    private long _writeErrors;

    public ILogger CreateLogger(string categoryName) => new CalicoLogger(this, categoryName);

    public void Dispose()
    {
        if (_ownsOutput)
        {
            _output.Dispose();
        }
    }

    internal bool IsEnabled(LogLevel level) => level != LogLevel.None && level >= MinimumLevel;

    internal void Write<TState>(string category, LogLevel level, TState state, string message, Exception? exception)
    {
        var line = LogLineFormatter.Format(_timeProvider.GetLocalNow(), level, _processId, category, state, message, exception);
        var bytes = Encoding.UTF8.GetBytes(line);
        lock (_writeLock)
        {
            try
            {
                _output.Write(bytes);
                _output.Flush();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // A closed or full stderr must not stop the agent: the line is lost and counted (felix_log_errors).
                _writeErrors++;
            }
        }
    }

    /// <summary>Log lines that could not be written (upstream's felix_log_errors).</summary>
    public long WriteErrors
    {
        get
        {
            lock (_writeLock)
            {
                return _writeErrors;
            }
        }
    }

    private sealed class CalicoLogger(CalicoLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => provider.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!provider.IsEnabled(logLevel))
            {
                return;
            }
            ArgumentNullException.ThrowIfNull(formatter);
            provider.Write(category, logLevel, state, formatter(state, exception), exception);
        }
    }
}
