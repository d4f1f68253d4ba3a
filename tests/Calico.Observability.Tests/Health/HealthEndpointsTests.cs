using System.Text.Json;
using Calico.Observability.Health;

namespace Calico.Observability.Tests.Health;

[Trait("Tier", "Unit")]
public sealed class HealthEndpointsTests
{
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private readonly HealthAggregator _aggregator;
    private readonly HealthReporter _calcGraph;
    private readonly HealthReporter _dataplane;

    public HealthEndpointsTests()
    {
        _aggregator = new HealthAggregator(_clock);
        _calcGraph = _aggregator.Register("async_calc_graph", reportsLive: true, reportsReady: true, TimeSpan.FromSeconds(20));
        _dataplane = _aggregator.Register("int_dataplane", reportsLive: true, reportsReady: true, TimeSpan.FromSeconds(90));
        _aggregator.Register("felix-startup", reportsLive: false, reportsReady: true, TimeSpan.Zero).Report(false, true);
    }

    [Fact]
    public async Task Readiness_AllReady_200WithTable()
    {
        _calcGraph.Report(true, true);
        _dataplane.Report(true, true);
        await using var server = new RunningServer(HealthEndpoints.Create(_aggregator));

        var response = await RawHttp.GetAsync(server.Port, "/readiness");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(
            """
            REPORTER          LIVE  READY  REASON
            async_calc_graph  yes   yes    -
            int_dataplane     yes   yes    -
            felix-startup     -     yes    -

            """.ReplaceLineEndings("\n"),
            response.Body);
    }

    [Fact]
    public async Task Readiness_NotReady_503NamingReporterAndReason()
    {
        _calcGraph.Report(true, true);
        _dataplane.Report(true, false, "dataplane not yet programmed: waiting for datastore sync");
        await using var server = new RunningServer(HealthEndpoints.Create(_aggregator));

        var readiness = await RawHttp.GetAsync(server.Port, "/readiness");
        var liveness = await RawHttp.GetAsync(server.Port, "/liveness");

        Assert.Equal(503, readiness.StatusCode);
        Assert.Contains("int_dataplane     yes   no     dataplane not yet programmed: waiting for datastore sync\n", readiness.Body, StringComparison.Ordinal);
        Assert.Equal(200, liveness.StatusCode);
    }

    [Fact]
    public async Task Liveness_ReporterTimedOut_503WithTimedOutReason()
    {
        _calcGraph.Report(true, true);
        _dataplane.Report(true, true);
        _clock.Advance(TimeSpan.FromSeconds(30));
        _dataplane.Report(true, true);
        await using var server = new RunningServer(HealthEndpoints.Create(_aggregator));

        var response = await RawHttp.GetAsync(server.Port, "/liveness");

        Assert.Equal(503, response.StatusCode);
        Assert.Contains("async_calc_graph  no    no     timed out: no report for 30s (timeout 20s)\n", response.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/readiness?format=json", "")]
    [InlineData("/readiness", "Accept: application/json\r\n")]
    public async Task Readiness_JsonRequested_ReturnsJson(string target, string headers)
    {
        _calcGraph.Report(true, true);
        _dataplane.Report(true, false, "datastore unreachable: connection refused");
        await using var server = new RunningServer(HealthEndpoints.Create(_aggregator));

        var response = await RawHttp.GetAsync(server.Port, target, extraHeaders: headers);

        Assert.Equal(503, response.StatusCode);
        Assert.Equal("application/json", response.Headers["Content-Type"]);
        Assert.Equal(
            """{"live":true,"ready":false,"reporters":[""" +
            """{"name":"async_calc_graph","live":true,"ready":true,"timeoutSeconds":20,"reason":""},""" +
            """{"name":"int_dataplane","live":true,"ready":false,"timeoutSeconds":90,"reason":"datastore unreachable: connection refused"},""" +
            """{"name":"felix-startup","live":null,"ready":true,"timeoutSeconds":0,"reason":""}]}""",
            response.Body);
        using var parsed = JsonDocument.Parse(response.Body);
        Assert.False(parsed.RootElement.GetProperty("ready").GetBoolean());
    }

    [Fact]
    public async Task Head_Readiness_StatusWithoutBody()
    {
        await using var server = new RunningServer(HealthEndpoints.Create(_aggregator));

        var response = await RawHttp.GetAsync(server.Port, "/readiness", method: "HEAD");

        Assert.Equal(503, response.StatusCode);
        Assert.NotEqual("0", response.Headers["Content-Length"]);
        Assert.Equal(string.Empty, response.Body);
    }
}
