namespace Calico.Observability.Logging;

/// <summary>Felix's LogSeverityScreen values, least to most severe.</summary>
public enum LogSeverity
{
    Debug,
    Info,
    Warning,
    Error,
    Fatal,
}
