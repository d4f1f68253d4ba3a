using Calico.Observability.Http;

namespace Calico.Observability.Health;

/// <summary>Felix's health port routes: /liveness and /readiness answer 200 or 503 with the full table.</summary>
public static class HealthEndpoints
{
    public const string LivenessPath = "/liveness";
    public const string ReadinessPath = "/readiness";

    public static IReadOnlyDictionary<string, HttpHandler> Create(HealthAggregator aggregator)
    {
        ArgumentNullException.ThrowIfNull(aggregator);
        return new Dictionary<string, HttpHandler>(StringComparer.Ordinal)
        {
            [LivenessPath] = (request, _) => ValueTask.FromResult(Answer(request, aggregator.Summarize(), summary => summary.Live)),
            [ReadinessPath] = (request, _) => ValueTask.FromResult(Answer(request, aggregator.Summarize(), summary => summary.Ready)),
        };
    }

    private static HttpResponse Answer(HttpRequest request, HealthSummary summary, Func<HealthSummary, bool> healthy)
    {
        var status = healthy(summary) ? 200 : 503;
        return WantsJson(request)
            ? new HttpResponse(status, HttpResponse.Json, HealthReportFormatter.Json(summary))
            : HttpResponse.Text(status, HealthReportFormatter.Table(summary));
    }

    private static bool WantsJson(HttpRequest request) =>
        string.Equals(request.QueryParameter("format"), "json", StringComparison.OrdinalIgnoreCase)
        || (request.Header("Accept")?.Contains(HttpResponse.Json, StringComparison.OrdinalIgnoreCase) ?? false);
}
