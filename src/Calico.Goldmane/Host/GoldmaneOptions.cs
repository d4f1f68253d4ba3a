using System.Net;
using Calico.Goldmane.Store;
using Calico.Observability.Logging;

namespace Calico.Goldmane.Host;

/// <summary>The aggregator's settings, from flags (first) and upstream Goldmane's environment variables.</summary>
public sealed record GoldmaneOptions
{
    public const int DefaultGrpcPort = 7443;
    public const int DefaultHttpPort = 8081;

    /// <summary>Address both listeners bind; null = all addresses (IPv4 and IPv6).</summary>
    public IPAddress? ListenAddress { get; init; }

    public int GrpcPort { get; init; } = DefaultGrpcPort;

    public int HttpPort { get; init; } = DefaultHttpPort;

    /// <summary>PEM certificate and key for the gRPC port; both null = plain HTTP/2 (h2c).</summary>
    public string? TlsCert { get; init; }

    public string? TlsKey { get; init; }

    public LogSeverity LogSeverity { get; init; } = LogSeverity.Info;

    public FlowStoreOptions Store { get; init; } = new();
}
