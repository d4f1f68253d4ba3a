using Calico.Observability.Http;

namespace Calico.Observability.Metrics;

/// <summary>Felix's Prometheus port route: GET /metrics.</summary>
public static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static IReadOnlyDictionary<string, HttpHandler> Create(MetricsRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return new Dictionary<string, HttpHandler>(StringComparer.Ordinal)
        {
            [Path] = async (_, cancellationToken) =>
            {
                using var body = new MemoryStream();
                await registry.WriteTextAsync(body, cancellationToken).ConfigureAwait(false);
                return new HttpResponse(200, MetricsRegistry.TextContentType, body.ToArray());
            },
        };
    }
}
