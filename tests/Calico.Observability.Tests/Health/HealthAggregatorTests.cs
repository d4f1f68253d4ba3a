using Calico.Observability.Health;

namespace Calico.Observability.Tests.Health;

[Trait("Tier", "Unit")]
public sealed class HealthAggregatorTests
{
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Summarize_NoReporters_LiveAndReady()
    {
        var summary = new HealthAggregator(_clock).Summarize();

        Assert.True(summary.Live);
        Assert.True(summary.Ready);
        Assert.Empty(summary.Reporters);
    }

    [Fact]
    public void Summarize_ReporterNeverReported_NotLiveNotReady()
    {
        var aggregator = new HealthAggregator(_clock);
        aggregator.Register("int_dataplane", reportsLive: true, reportsReady: true, TimeSpan.FromSeconds(20));

        var summary = aggregator.Summarize();

        Assert.False(summary.Live);
        Assert.False(summary.Ready);
        Assert.Equal("no report yet", summary.Reporters[0].Reason);
    }

    [Fact]
    public void Summarize_AllHealthy_LiveAndReady()
    {
        var aggregator = new HealthAggregator(_clock);
        aggregator.Register("a", true, true, TimeSpan.FromSeconds(20)).Report(live: true, ready: true);
        aggregator.Register("b", false, true, TimeSpan.Zero).Report(live: false, ready: true);

        var summary = aggregator.Summarize();

        Assert.True(summary.Live);
        Assert.True(summary.Ready);
    }

    [Fact]
    public void Summarize_OneNotReady_NotReadyButLiveWithReason()
    {
        var aggregator = new HealthAggregator(_clock);
        aggregator.Register("async_calc_graph", true, true, TimeSpan.FromSeconds(20)).Report(true, true);
        aggregator.Register("int_dataplane", true, true, TimeSpan.FromSeconds(20))
            .Report(live: true, ready: false, "dataplane not yet programmed: waiting for datastore sync");

        var summary = aggregator.Summarize();

        Assert.True(summary.Live);
        Assert.False(summary.Ready);
        Assert.Equal("dataplane not yet programmed: waiting for datastore sync", summary.Reporters[1].Reason);
    }

    [Fact]
    public void Summarize_ReporterOfOtherKind_DoesNotAffectThisKind()
    {
        var aggregator = new HealthAggregator(_clock);
        aggregator.Register("startup", reportsLive: false, reportsReady: true, TimeSpan.Zero).Report(live: false, ready: false, "starting");

        var summary = aggregator.Summarize();

        Assert.True(summary.Live);
        Assert.False(summary.Ready);
    }

    [Fact]
    public void Summarize_SilentPastTimeout_TimedOutWithLastReason()
    {
        var aggregator = new HealthAggregator(_clock);
        var reporter = aggregator.Register("int_dataplane", true, true, TimeSpan.FromSeconds(20));
        reporter.Report(true, true, "in sync");

        _clock.Advance(TimeSpan.FromSeconds(20));
        Assert.True(aggregator.Summarize().Ready);
        _clock.Advance(TimeSpan.FromSeconds(5));
        var summary = aggregator.Summarize();

        Assert.False(summary.Live);
        Assert.False(summary.Ready);
        Assert.Equal("timed out: no report for 25s (timeout 20s); last reason: in sync", summary.Reporters[0].Reason);
    }

    [Fact]
    public void Summarize_ReportAfterTimeout_Recovers()
    {
        var aggregator = new HealthAggregator(_clock);
        var reporter = aggregator.Register("felix", true, true, TimeSpan.FromSeconds(1));
        reporter.Report(true, true);
        _clock.Advance(TimeSpan.FromSeconds(2));

        reporter.Report(true, true);

        Assert.True(aggregator.Summarize().Ready);
    }

    [Fact]
    public void Summarize_ZeroTimeout_NeverTimesOut()
    {
        var aggregator = new HealthAggregator(_clock);
        aggregator.Register("felix", true, true, TimeSpan.Zero).Report(true, true);
        _clock.Advance(TimeSpan.FromDays(365));

        Assert.True(aggregator.Summarize().Ready);
    }

    [Fact]
    public void Register_DuplicateName_Throws()
    {
        var aggregator = new HealthAggregator(_clock);
        aggregator.Register("felix", true, true, TimeSpan.Zero);

        Assert.Throws<ArgumentException>(() => aggregator.Register("felix", true, false, TimeSpan.Zero));
    }

    [Fact]
    public void Register_NegativeTimeout_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new HealthAggregator(_clock).Register("x", true, true, TimeSpan.FromSeconds(-1)));
}
