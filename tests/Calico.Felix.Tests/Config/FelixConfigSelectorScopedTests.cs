using Calico.Felix.Config;
using static Calico.Felix.Tests.Config.LoaderHarness;

namespace Calico.Felix.Tests.Config;

[Trait("Tier", "Unit")]
public sealed class FelixConfigSelectorScopedTests
{
    private static readonly Dictionary<string, string> RackA = new() { ["rack"] = "a", ["zone"] = "z1" };

    [Theory]
    [InlineData("rack == 'a'", 4)]
    [InlineData("has(zone)", 4)]
    [InlineData("rack == 'b'", 5)]
    [InlineData("all()", 4)]
    public void Load_SelectorScoped_AppliesOnlyWhenSelectorMatches(string selector, int expectedSeconds)
    {
        var result = Load(
            selectorScoped: [Resource("scoped", s => { s.NodeSelector = selector; s.RouteRefreshInterval = "4s"; })],
            global: Resource("default", s => s.RouteRefreshInterval = "5s"),
            labels: RackA);

        Assert.Empty(result.Problems);
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), result.Config.RouteRefreshInterval);
    }

    [Theory]
    [InlineData("2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z", 1)]
    [InlineData("2025-01-01T00:00:00Z", "2024-01-01T00:00:00Z", 2)]
    [InlineData("2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z", 1)]
    public void Load_SeveralSelectorScopedMatch_OldestWins(string createdFirst, string createdSecond, int expectedSeconds)
    {
        var result = Load(
            selectorScoped:
            [
                Resource("b-second", s => { s.NodeSelector = "all()"; s.RouteRefreshInterval = "2s"; }, createdSecond),
                Resource("a-first", s => { s.NodeSelector = "all()"; s.RouteRefreshInterval = "1s"; }, createdFirst),
            ],
            labels: RackA);

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), result.Config.RouteRefreshInterval);
        Assert.Equal(ConfigSource.DatastorePerSelector, result.Origins["RouteRefreshInterval"].Source);
    }

    [Fact]
    public void Load_SelectorScopedInvalidSelector_IsWarnedAndSkipped()
    {
        var result = Load(
            selectorScoped: [Resource("broken", s => { s.NodeSelector = "rack == "; s.RouteRefreshInterval = "4s"; })],
            labels: RackA);

        var problem = Assert.Single(result.Problems);
        Assert.Equal(ConfigProblemSeverity.Warning, problem.Severity);
        Assert.StartsWith("FelixConfiguration broken: invalid nodeSelector 'rack == '", problem.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(90), result.Config.RouteRefreshInterval);
    }

    [Fact]
    public void Load_SelectorScopedWithoutSelector_IsWarnedAndSkipped()
    {
        var result = Load(selectorScoped: [Resource("orphan", s => s.RouteRefreshInterval = "4s")], labels: RackA);

        Assert.Single(result.Problems);
        Assert.Equal(TimeSpan.FromSeconds(90), result.Config.RouteRefreshInterval);
    }

    [Fact]
    public void Load_PerNode_BeatsSelectorScoped()
    {
        var result = Load(
            node: Resource("node.host1", s => s.LogSeverityScreen = "Error"),
            selectorScoped: [Resource("scoped", s => { s.NodeSelector = "all()"; s.LogSeverityScreen = "Debug"; s.HealthPort = 1234; })],
            labels: RackA);

        Assert.Equal(LogSeverity.Error, result.Config.LogSeverityScreen);
        Assert.Equal(1234, result.Config.HealthPort);
    }
}
