using Microsoft.Extensions.Logging;

namespace Calico.Cni;

/// <summary>A logger factory over one <see cref="CniLogSink"/> (the full Microsoft.Extensions.Logging is not referenced).</summary>
internal sealed class CniLoggerFactory(CniLogSink sink) : ILoggerFactory
{
    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("the CNI plugin logs through one sink");

    public ILogger CreateLogger(string categoryName) => sink.CreateLogger(categoryName);

    public void Dispose()
    {
    }
}
