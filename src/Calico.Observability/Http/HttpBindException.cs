namespace Calico.Observability.Http;

/// <summary>The server could not listen on the configured host and port.</summary>
public sealed class HttpBindException : IOException
{
    public HttpBindException(string host, int port, string detail, Exception? innerException = null)
        : base($"cannot listen on host \"{host}\" port {port}: {detail}", innerException)
    {
        Host = host;
        Port = port;
    }

    public string Host { get; }
    public int Port { get; }
}
