namespace Calico.Felix.Config;

/// <summary>Upstream log levels (TRACE..FATAL).</summary>
public enum LogSeverity { Trace, Debug, Info, Warning, Error, Fatal }
