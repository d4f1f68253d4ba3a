using System.Text;
using Calico.Observability.Metrics;

namespace Calico.Observability.Tests.Metrics;

[Trait("Tier", "Unit")]
public sealed class MetricsRegistryTests
{
    private static async Task<string> ExpositionAsync(MetricsRegistry registry)
    {
        using var output = new MemoryStream();
        await registry.WriteTextAsync(output, CancellationToken.None);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    [Fact]
    public async Task WriteText_SmallRegistry_ExactExposition()
    {
        var registry = new MetricsRegistry();
        var messages = registry.CreateCounter("felix_int_dataplane_messages", "Number dataplane messages by type.", "type");
        var hosts = registry.CreateGauge("felix_cluster_num_hosts", "Total number of Calico hosts in the cluster.");
        var applyTime = registry.CreateSummary("felix_int_dataplane_apply_time_seconds", "Time in seconds that it took to apply a dataplane update.");
        var histogram = registry.CreateHistogram("test_latency_seconds", "A histogram.", [0.1, 1]);
        messages.WithLabels("ipset_update").Inc(3);
        messages.WithLabels("with \"quote\" \\ and\nnewline").Inc();
        hosts.Set(4);
        applyTime.Observe(0.25);
        applyTime.Observe(0.5);
        histogram.Observe(0.05);
        histogram.Observe(0.5);

        var text = await ExpositionAsync(registry);

        Assert.Equal(
            """
            # HELP felix_int_dataplane_messages Number dataplane messages by type.
            # TYPE felix_int_dataplane_messages counter
            felix_int_dataplane_messages{type="ipset_update"} 3
            felix_int_dataplane_messages{type="with \"quote\" \\ and\nnewline"} 1
            # HELP felix_cluster_num_hosts Total number of Calico hosts in the cluster.
            # TYPE felix_cluster_num_hosts gauge
            felix_cluster_num_hosts 4
            # HELP felix_int_dataplane_apply_time_seconds Time in seconds that it took to apply a dataplane update.
            # TYPE felix_int_dataplane_apply_time_seconds summary
            felix_int_dataplane_apply_time_seconds_sum 0.75
            felix_int_dataplane_apply_time_seconds_count 2
            # HELP test_latency_seconds A histogram.
            # TYPE test_latency_seconds histogram
            test_latency_seconds_sum 0.55
            test_latency_seconds_count 2
            test_latency_seconds_bucket{le="0.1"} 1
            test_latency_seconds_bucket{le="1"} 2
            test_latency_seconds_bucket{le="+Inf"} 2

            """.ReplaceLineEndings("\n"),
            text);
    }

    [Fact]
    public async Task RegisterCollector_CalledAtScrape_WritesEscapedSamples()
    {
        var registry = new MetricsRegistry();
        var calls = 0;
        CollectedMetricFamily[] families =
        [
            new("test_reads_total", "Reads with a \\ backslash\nand newline.", CollectedMetricType.Counter, "device", "mode"),
            new("test_temperature", "Degrees.", CollectedMetricType.Gauge),
            new("test_unused", "Never sampled.", CollectedMetricType.Gauge),
        ];
        using var registration = registry.RegisterCollector(families, () =>
        {
            calls++;
            return
            [
                new MetricSample("test_reads_total", 12345678901, ["sda", "a\"b\\c\nd"]),
                new MetricSample("test_temperature", double.PositiveInfinity),
                new MetricSample("test_reads_total", 0.5, ["sdb", ""]),
            ];
        });
        Assert.Equal(0, calls);

        var text = await ExpositionAsync(registry);

        Assert.Equal(1, calls);
        Assert.Equal(
            """
            # HELP test_reads_total Reads with a \\ backslash\nand newline.
            # TYPE test_reads_total counter
            test_reads_total{device="sda",mode="a\"b\\c\nd"} 12345678901
            test_reads_total{device="sdb",mode=""} 0.5
            # HELP test_temperature Degrees.
            # TYPE test_temperature gauge
            test_temperature +Inf

            """.ReplaceLineEndings("\n"),
            text);
    }

    [Fact]
    public async Task RegisterCollector_Disposed_NoLongerCalled()
    {
        var registry = new MetricsRegistry();
        var registration = registry.RegisterCollector(
            [new CollectedMetricFamily("test_value", "V.", CollectedMetricType.Gauge)],
            () => [new MetricSample("test_value", 1)]);

        registration.Dispose();

        Assert.Equal(string.Empty, await ExpositionAsync(registry));
    }

    [Fact]
    public async Task WriteText_CollectorProducesUnknownMetric_Throws()
    {
        var registry = new MetricsRegistry();
        using var registration = registry.RegisterCollector(
            [new CollectedMetricFamily("test_value", "V.", CollectedMetricType.Gauge)],
            () => [new MetricSample("test_other", 1)]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ExpositionAsync(registry));
        Assert.Contains("test_other", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteText_SampleWithWrongLabelCount_Throws()
    {
        var registry = new MetricsRegistry();
        using var registration = registry.RegisterCollector(
            [new CollectedMetricFamily("test_value", "V.", CollectedMetricType.Gauge, "a", "b")],
            () => [new MetricSample("test_value", 1, ["only-one"])]);

        await Assert.ThrowsAsync<InvalidOperationException>(() => ExpositionAsync(registry));
    }

    [Fact]
    public void RegisterCollector_NameTakenByDirectMetric_Throws()
    {
        var registry = new MetricsRegistry();
        registry.CreateGauge("test_value", "V.");

        Assert.Throws<ArgumentException>(() => registry.RegisterCollector(
            [new CollectedMetricFamily("test_value", "V.", CollectedMetricType.Gauge)], () => []));
    }

    [Fact]
    public void CreateGauge_NameTakenByCollector_Throws()
    {
        var registry = new MetricsRegistry();
        using var registration = registry.RegisterCollector(
            [new CollectedMetricFamily("test_value", "V.", CollectedMetricType.Gauge)], () => []);

        Assert.Throws<ArgumentException>(() => registry.CreateGauge("test_value", "V."));
    }

    [Theory]
    [InlineData("")]
    [InlineData("9starts_with_digit")]
    [InlineData("has-dash")]
    [InlineData("has space")]
    public void CollectedMetricFamily_InvalidName_Throws(string name) =>
        Assert.Throws<ArgumentException>(() => new CollectedMetricFamily(name, "h", CollectedMetricType.Gauge));

    [Theory]
    [InlineData("__reserved")]
    [InlineData("with:colon")]
    [InlineData("1digit")]
    public void CollectedMetricFamily_InvalidLabel_Throws(string label) =>
        Assert.Throws<ArgumentException>(() => new CollectedMetricFamily("test_ok", "h", CollectedMetricType.Gauge, label));

    [Fact]
    public void CollectedMetricFamily_RepeatedLabel_Throws() =>
        Assert.Throws<ArgumentException>(() => new CollectedMetricFamily("test_ok", "h", CollectedMetricType.Gauge, "a", "a"));

    [Theory]
    [InlineData(1.0, "1")]
    [InlineData(0.1, "0.1")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    public void FormatValue_UsesPrometheusSpelling(double value, string expected) =>
        Assert.Equal(expected, ExpositionTextWriter.FormatValue(value));
}
