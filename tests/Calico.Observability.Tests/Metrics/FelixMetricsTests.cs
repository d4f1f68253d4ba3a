using System.Text;
using Calico.Observability.Metrics;

namespace Calico.Observability.Tests.Metrics;

[Trait("Tier", "Unit")]
public sealed class FelixMetricsTests
{
    [Fact]
    public async Task FelixMetrics_AllUpstreamNamesExposedWithTypes()
    {
        var registry = new MetricsRegistry();
        var felix = new FelixMetrics(registry);
        felix.DataplaneMessages.WithLabels("InSync").Inc();
        using var policies = felix.RegisterPolicyCounters(() => [new PolicyCounterSample("default", "allow-dns", "ingress", 10, 840)]);
        using var output = new MemoryStream();

        await registry.WriteTextAsync(output, CancellationToken.None);
        var text = Encoding.UTF8.GetString(output.ToArray());

        Assert.Contains("# TYPE felix_int_dataplane_apply_time_seconds summary\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE felix_int_dataplane_failures counter\nfelix_int_dataplane_failures 0\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("_failures_total", text, StringComparison.Ordinal);
        Assert.Contains("felix_int_dataplane_messages{type=\"InSync\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE felix_calc_graph_update_time_seconds summary\n", text, StringComparison.Ordinal);
        Assert.Contains("felix_int_dataplane_apply_time_seconds{quantile=\"0.99\"}", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE felix_resyncs_started counter\n", text, StringComparison.Ordinal);
        Assert.Contains("felix_cluster_num_hosts 0\n", text, StringComparison.Ordinal);
        Assert.Contains("felix_active_local_endpoints 0\n", text, StringComparison.Ordinal);
        Assert.Contains("felix_active_local_policies 0\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE felix_policy_packets_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("felix_policy_packets_total{tier=\"default\",policy=\"allow-dns\",direction=\"ingress\"} 10\n", text, StringComparison.Ordinal);
        Assert.Contains("felix_policy_bytes_total{tier=\"default\",policy=\"allow-dns\",direction=\"ingress\"} 840\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MetricsEndpoint_Scrape_ServesTextFormatOverHttp()
    {
        var registry = new MetricsRegistry();
        registry.CreateGauge("test_value", "V.").Set(2);
        await using var server = new RunningServer(MetricsEndpoint.Create(registry));

        var response = await RawHttp.GetAsync(server.Port, "/metrics");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Headers["Content-Type"]);
        Assert.Equal("# HELP test_value V.\n# TYPE test_value gauge\ntest_value 2\n", response.Body);
    }

    [Fact]
    public async Task MetricsEndpoint_CollectorFails_500AndNextScrapeWorks()
    {
        var registry = new MetricsRegistry();
        var fail = true;
        using var registration = registry.RegisterCollector(
            [new CollectedMetricFamily("test_value", "V.", CollectedMetricType.Gauge)],
            () => fail ? throw new IOException("nft list failed") : [new MetricSample("test_value", 1)]);
        await using var server = new RunningServer(MetricsEndpoint.Create(registry));

        var failed = await RawHttp.GetAsync(server.Port, "/metrics");
        fail = false;
        var next = await RawHttp.GetAsync(server.Port, "/metrics");

        Assert.Equal(500, failed.StatusCode);
        Assert.Contains("nft list failed", failed.Body, StringComparison.Ordinal);
        Assert.Equal(200, next.StatusCode);
    }
}
